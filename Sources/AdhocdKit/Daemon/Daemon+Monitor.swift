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
        let notifier = ChatNotifier(client: client, logger: logger)
        await notifier.send(alert.body, to: notifier.addresses(of: recipients), what: "health alert", metadata: ["level": "\(alert.change.to)"])
    }
}
