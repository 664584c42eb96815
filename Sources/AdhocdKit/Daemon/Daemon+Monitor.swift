import HealthMonitor
import Logging
import XMPPClient
import XMPPCore

/// The health monitor: its presence goes through the arbiter, its alerts to chat recipients.
extension Daemon {
    /// (Re)starts the monitor with `settings`, or stops it for nil.
    func startMonitor(_ settings: MonitorSettings?) async {
        guard let settings else {
            stopMonitor()
            await presence.monitorStopped()
            return
        }
        var logger = logger
        logger[metadataKey: "component"] = "monitor"
        let monitor = HealthMonitor(
            settings: settings, logger: logger,
            publish: { [presence] health in await presence.publish(health) },
            alert: { [weak self] alert in await self?.send(alert, to: settings.alerts) })
        await presence.monitorStarted()
        monitorTask.replace(with: Task { await monitor.run() })
    }

    func startMonitor() async {
        await startMonitor(configuration.withLock { $0.monitor })
    }

    func stopMonitor() {
        monitorTask.cancel()
    }

    /// A chat message to every listed account and every roster member of the listed groups.
    /// Not queued while offline: the presence shows the level again after the reconnect.
    func send(_ alert: HealthAlert, to recipients: [AlertRecipient]) async {
        var addresses = Set<JID>()
        for recipient in recipients {
            switch recipient {
            case .account(let jid):
                addresses.insert(jid)
            case .group(let name):
                for item in client.roster.allItems where item.groups.contains(name) { addresses.insert(item.jid) }
            }
        }
        addresses.remove(client.configuration.account)
        guard client.isOnline else {
            logger.warning("health alert not sent: offline", metadata: ["level": "\(alert.change.to)"])
            return
        }
        for address in addresses.sorted() {
            do {
                try await client.send(Message(.chat, to: address, body: alert.body, id: client.makeStanzaID()).element)
            } catch {
                logger.warning("could not send a health alert", metadata: ["jid": "\(address)", "error": "\(error)"])
            }
        }
        logger.notice("health alert sent", metadata: ["level": "\(alert.change.to)", "recipients": "\(addresses.count)"])
    }
}
