import Commands
import BuiltinCommands

/// The built-in commands a configuration enables. The daemon and `adhocd commands` build them
/// the same way, so the offline listing shows exactly the nodes and names clients will see.
struct BuiltinCommandSet {
    /// Reads and changes the bot's presence, for `set-presence`.
    var presence: PresenceControl
    /// Re-reads the configuration, for `reload`.
    var reload: @Sendable () async throws -> String

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
