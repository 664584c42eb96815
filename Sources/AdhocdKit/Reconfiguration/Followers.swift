import Commands
import CommandFiles
import DBusBridge
import HealthMonitor
import NIOPosix
import XMPPClient
import XMPPCore

/// The built-in commands: their rules and whether each is enabled.
struct BuiltinCommandsFollower: ConfigurationFollower {
    let registry: CommandRegistry
    let commands: @Sendable (DaemonConfiguration) -> [any Command]

    static let provider = "builtin"

    func apply(_ new: DaemonConfiguration, replacing old: DaemonConfiguration) async -> ConfigurationChange {
        guard new.builtins != old.builtins else { return .unchanged }
        registry.setCommands(commands(new), provider: Self.provider)
        return .applied("command rules")
    }
}

/// `[presence]`: what the bot shows when neither the monitor nor a person sets it.
struct PresenceFollower: ConfigurationFollower {
    let arbiter: PresenceArbiter

    func apply(_ new: DaemonConfiguration, replacing old: DaemonConfiguration) async -> ConfigurationChange {
        guard new.client.presence != old.client.presence else { return .unchanged }
        await arbiter.configure(new.client.presence)
        return .applied("presence")
    }
}

/// `[presence] subscribers` and `other_requests`: read from the stored configuration at each
/// request, so applying is storing (the daemon does that after every follower).
struct SubscriptionsFollower: ConfigurationFollower {
    func apply(_ new: DaemonConfiguration, replacing old: DaemonConfiguration) async -> ConfigurationChange {
        new.subscriptions == old.subscriptions ? .unchanged : .applied("subscription rules")
    }
}

/// A part that runs with its settings and restarts when they change.
struct RestartingFollower<Settings: Sendable & Equatable>: ConfigurationFollower {
    let service: RestartingService<Settings>
    let settings: @Sendable (DaemonConfiguration) -> Settings
    let name: String

    func apply(_ new: DaemonConfiguration, replacing old: DaemonConfiguration) async -> ConfigurationChange {
        service.apply(settings(new)) ? .applied(name) : .unchanged
    }
}

/// commands.d: the directory is read again on every reload, whatever the file says, since the
/// definitions may have changed. Off the event loop: reading files and (for `user =`) the
/// account database may block, and pings and other commands must not wait on it.
struct CommandFilesFollower: ConfigurationFollower {
    let provider: CommandFilesProvider

    func apply(_ new: DaemonConfiguration, replacing old: DaemonConfiguration) async -> ConfigurationChange {
        do {
            let outcome = try await NIOThreadPool.singleton.runIfActive { [provider] in provider.load(new.commandFiles) }
            return .report(outcome.summary)
        } catch {
            return .report("commands.d: not read again (\(error))")
        }
    }
}

/// What only a new connection or a restart can change: reported, never applied.
struct RestartOnlyFollower: ConfigurationFollower {
    func apply(_ new: DaemonConfiguration, replacing old: DaemonConfiguration) async -> ConfigurationChange {
        var parts: [String] = []
        if ConnectionIdentity(new.client) != ConnectionIdentity(old.client) { parts.append("account and connection settings") }
        if new.sessionLimits != old.sessionLimits { parts.append("session limits") }
        return parts.isEmpty ? .unchanged : .needsRestart(parts.joined(separator: " and "))
    }
}

/// The parts of the client configuration that only a new connection can change.
struct ConnectionIdentity: Equatable {
    var account: JID, password: Secret, resource: String, host: String?, port: Int?, tls: TLSMode, caFile: String?
    var keepalive: Duration, pingTimeout: Duration, connectTimeout: Duration, maximumBackoff: Duration, streamManagement: Bool

    init(_ client: ClientConfiguration) {
        account = client.account
        password = client.password
        resource = client.resource
        host = client.host
        port = client.port
        tls = client.tls
        caFile = client.tlsSettings.caFile
        keepalive = client.keepaliveInterval
        pingTimeout = client.pingTimeout
        connectTimeout = client.connectTimeout
        maximumBackoff = client.backoff.maximum
        streamManagement = client.streamManagement
    }
}
