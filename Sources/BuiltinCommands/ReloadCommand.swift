import Commands

/// `reload`: re-read the configuration and command definitions, keeping the connection.
public struct ReloadCommand: Command {
    public let node = "reload"
    public let name = "Reload configuration"
    public let policy: AccessPolicy
    /// Performs the reload and says what changed; throws with a message when the new
    /// configuration is invalid (the old one then stays in force).
    public let reload: @Sendable () async throws -> String

    public init(policy: AccessPolicy, reload: @escaping @Sendable () async throws -> String) {
        self.policy = policy
        self.reload = reload
    }

    public func start(_ context: CommandContext) async throws -> CommandStep {
        do {
            return .complete(.note(try await reload()))
        } catch {
            return .complete(.failure("Reload failed, the previous configuration stays in force: \(error)"))
        }
    }
}
