import AdHoc
import BuiltinCommands
import CommandFiles
import DBusBridge
import HealthMonitor
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals
import XMPPClient
import XMPPCore

/// adhocd itself: the XMPP client, the command responder, the built-in commands and the health
/// monitor, wired together and run until SIGTERM or SIGINT. SIGHUP and the `reload` command
/// re-read the configuration without dropping the connection.
public final class Daemon: Sendable {
    public let client: XMPPClient
    public let responder: CommandResponder
    let configuration: Mutex<DaemonConfiguration>
    let logger: Logger
    let presence: PresenceArbiter
    /// The running D-Bus bridge; replaced when a reload changes the `[[dbus]]` blocks.
    private let dbusBridge = ReplaceableTask()
    /// The running health monitor; replaced when a reload changes `[monitor]`.
    let monitorTask = ReplaceableTask()
    /// Commands from the files in commands.d, re-read on every reload.
    public let commandFiles: CommandFilesProvider

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = Mutex(configuration)
        self.logger = logger
        client = XMPPClient(configuration: configuration.client, logger: logger)
        let registry = CommandRegistry()
        let commandFiles = CommandFilesProvider(
            settings: configuration.commandFiles, registry: registry,
            reservedNodes: Set(DaemonConfiguration.builtinNames), logger: logger)
        self.commandFiles = commandFiles
        responder = CommandResponder(
            account: configuration.client.account,
            registry: registry,
            directory: RosterGroups(roster: client.roster),
            limits: configuration.sessionLimits,
            scheduler: EventLoopDeadlineScheduler(),
            logger: logger,
            onRefusal: { [runtime = commandFiles.runtime] refusal in runtime.recordRefusal(refusal) })
        presence = PresenceArbiter(configured: configuration.client.presence, client: client)
        responder.attach(to: client)
        client.setSubscriptionPolicy { [weak self] contact in self?.subscriptionDecision(for: contact) ?? .leavePending }
        responder.registry.setCommands(builtinCommands(configuration), provider: "builtin")
        for warning in configuration.warnings { logger.warning("\(warning)") }
        commandFiles.load(configuration.commandFiles)
    }

    /// Runs until a shutdown signal, then leaves the server gracefully.
    public func run() async throws {
        let services: [any Service] = [
            ClientService(client: client),
            PeriodicService(interval: .seconds(30)) { [responder] in await responder.sweep() },
            EventWatcher(daemon: self),
            ReloadOnHangup(daemon: self),
            BackgroundTaskService(start: { [self] in startDBusBridge() }, stop: { [self] in stopDBusBridge() }),
            BackgroundTaskService(start: { [self] in await startMonitor() }, stop: { [self] in stopMonitor() }),
        ]
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    // MARK: Reload

    /// Re-reads the configuration file and applies what can change while connected: command
    /// rules and enablement, D-Bus blocks, presence and subscriptions, the monitor. Account, connection and session-limit changes are
    /// reported as needing a restart. An invalid file changes nothing.
    public func reload() async throws -> String {
        let old = configuration.withLock { $0 }
        let new = try DaemonConfiguration.load(from: old.file)
        for warning in new.warnings { logger.warning("\(warning)") }
        var applied: [String] = []
        var needsRestart: [String] = []

        if new.builtins != old.builtins {
            responder.registry.setCommands(builtinCommands(new), provider: "builtin")
            applied.append("command rules")
        }
        if new.dbus != old.dbus {
            startDBusBridge(new.dbus)
            applied.append("D-Bus blocks")
        }
        if new.client.presence != old.client.presence {
            await presence.configure(new.client.presence)
            applied.append("presence")
        }
        if new.subscriptions != old.subscriptions {
            applied.append("subscription rules")
        }
        if new.monitor != old.monitor {
            await startMonitor(new.monitor)
            applied.append("health monitor")
        }
        // Files may have changed whatever the configuration says: always read the directory again.
        // Off the event loop: reading the directory, its files and (for `user =`) the account
        // database may block, and pings and other commands must not wait on it.
        let files = try await NIOThreadPool.singleton.runIfActive { [commandFiles] in commandFiles.load(new.commandFiles) }
        if ConnectionIdentity(new.client) != ConnectionIdentity(old.client) { needsRestart.append("account and connection settings") }
        if new.sessionLimits != old.sessionLimits { needsRestart.append("session limits") }

        configuration.withLock { current in
            // Only what was applied is kept, so a later reload compares against what runs.
            current.builtins = new.builtins
            current.dbus = new.dbus
            current.client.presence = new.client.presence
            current.commandFiles = new.commandFiles
            current.subscriptions = new.subscriptions
            current.monitor = new.monitor
            current.warnings = new.warnings
        }
        warnAboutUnknownGroups()
        var summary = "Reloaded \(new.file): " + (applied.isEmpty ? "nothing changed" : "updated " + applied.joined(separator: " and "))
        if !needsRestart.isEmpty { summary += "; restart adhocd to apply changed " + needsRestart.joined(separator: " and ") }
        summary += "; " + files.summary
        logger.notice("\(summary)")
        return summary + "."
    }

    // MARK: D-Bus

    /// (Re)starts the bridge for `blocks`: the old one is cancelled and removes its commands.
    func startDBusBridge(_ blocks: [DBusBlock]) {
        let bridge = DBusBridge(blocks: blocks, registry: responder.registry, logger: logger)
        dbusBridge.replace(with: blocks.isEmpty ? nil : Task { await bridge.run() })
    }

    func startDBusBridge() {
        startDBusBridge(configuration.withLock { $0.dbus })
    }

    func stopDBusBridge() {
        dbusBridge.cancel()
    }

    /// A reload whose failure is only logged, for SIGHUP.
    func reloadReportingErrors() async {
        do {
            _ = try await reload()
        } catch {
            logger.error("reload failed, the previous configuration stays in force: \(error)")
        }
    }

    /// Rules naming a group nobody on the roster is in grant nothing; say so once per login/reload.
    func warnAboutUnknownGroups() {
        let groups = configuration.withLock { $0.groupNames }.union(commandFiles.definitions.flatMap(\.policy.groupNames))
        let known = client.roster.allGroups
        for group in groups.subtracting(known).sorted() {
            logger.warning("a rule names roster group '\(group)', which no contact is in: it grants nothing")
        }
    }

    // MARK: Built-in commands

    private func builtinCommands(_ configuration: DaemonConfiguration) -> [any Command] {
        let control = PresenceControl(
            current: { [presence] in
                let settings = presence.effective
                return PresenceChoice(show: settings.show, status: settings.status, priority: settings.priority)
            },
            change: { [presence] choice in
                await presence.setManually(PresenceSettings(show: choice.show, status: choice.status, priority: choice.priority))
            },
            automaticIsActive: { [presence] in presence.monitorIsRunning },
            resumeAutomatic: { [presence] in await presence.resumeAutomatic() })
        let builtins = BuiltinCommandSet(presence: control) { [weak self] in
            guard let self else { return "adhocd is shutting down" }
            return try await self.reload()
        }
        return builtins.commands(for: configuration)
    }
}

/// The parts of the client configuration that only a new connection can change.
private struct ConnectionIdentity: Equatable {
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
