import Commands
import BuiltinCommands
import XMPPClient

/// The built-in commands a configuration enables. The daemon and `adhocd commands` build them
/// the same way, so the offline listing shows exactly the nodes and names clients will see.
struct BuiltinCommandSet {
    /// Reads and changes the bot's presence, for `set-presence`.
    var presence: PresenceControl
    /// Re-reads the configuration, for `reload`.
    var reload: @Sendable () async throws -> String

    /// The daemon's: set-presence goes through the presence arbiter, reload through the queue.
    static func live(presence: PresenceArbiter, reloads: ReloadQueue) -> BuiltinCommandSet {
        let control = PresenceControl(
            current: {
                let settings = presence.effective
                return PresenceChoice(show: settings.show, status: settings.status, priority: settings.priority)
            },
            change: { choice in
                await presence.setManually(PresenceSettings(show: choice.show, status: choice.status, priority: choice.priority))
            },
            automaticIsActive: { presence.monitorIsRunning },
            resumeAutomatic: { await presence.resumeAutomatic() })
        return BuiltinCommandSet(presence: control) { try await reloads.request().get() }
    }

    /// Controls that are never called: for listing commands without a daemon.
    static let inert = BuiltinCommandSet(
        presence: PresenceControl(current: { PresenceChoice(show: .online, status: nil, priority: 0) }, change: { _ in }),
        reload: { "" })

    func commands(for configuration: DaemonConfiguration) -> [any Command] {
        var commands: [any Command] = []
        func settings(_ name: String) -> DaemonConfiguration.BuiltinSettings? {
            guard let settings = configuration.builtins[name], settings.enabled else { return nil }
            return settings
        }
        if let status = settings("status") {
            commands.append(StatusCommand(policy: status.policy))
        }
        if let setPresence = settings("set-presence") {
            commands.append(SetPresenceCommand(policy: setPresence.policy, control: presence))
        }
        if let reloadSettings = settings("reload") {
            commands.append(ReloadCommand(policy: reloadSettings.policy, reload: reload))
        }
        if let echo = settings("echo") {
            commands.append(EchoCommand(policy: echo.policy))
        }
        return commands
    }
}
