import HealthMonitor
import Logging
import XMPPClient
import XMPPCore

/// The health monitor: its presence goes through the arbiter, its alerts to chat recipients.
extension Daemon {
    /// Runs the monitor with `settings` until cancelled (a reload replacing it, shutdown); with
    /// nil, hands the presence back to `[presence]` and returns.
    static func runMonitor(_ settings: MonitorSettings?, presence: PresenceArbiter, client: XMPPClient, logger: Logger) async {
        guard let settings else {
            await presence.monitorStopped()
            return
        }
        var monitorLogger = logger
        monitorLogger[metadataKey: "component"] = "monitor"
        let monitor = HealthMonitor(
            settings: settings, logger: monitorLogger,
            publish: { health in await presence.publish(health) },
            alert: { [monitorLogger] alert in await send(alert, to: settings.alerts, client: client, logger: monitorLogger) })
        await presence.monitorStarted()
        await monitor.run()
    }

    /// A chat message to every listed account and every roster member of the listed groups.
    /// Not queued while offline: the presence shows the level again after the reconnect.
    static func send(_ alert: HealthAlert, to recipients: [AlertRecipient], client: XMPPClient, logger: Logger) async {
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
