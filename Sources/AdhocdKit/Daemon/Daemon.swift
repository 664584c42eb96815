import AdHoc
import BuiltinCommands
import Chat
import CommandFiles
import Commands
import DBusBridge
import Fleet
import HealthMonitor
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals
import XMPPClient
import XMPPCore

/// adhocd itself: the XMPP client, the command core and its front ends (XEP-0050, chat, the fleet room), the built-in
/// commands, commands.d, the D-Bus bridge and the health monitor, wired together and run until
/// SIGTERM or SIGINT. SIGHUP and the `reload` command re-read the configuration without
/// dropping the connection.
public final class Daemon: Sendable {
    public let client: XMPPClient
    /// The command core: rules, sessions, validation; every front end drives it.
    public let engine: CommandEngine
    public let responder: CommandResponder
    /// The chat front end: the same commands typed as plain messages.
    public let chat: ChatFrontEnd
    let configuration: Mutex<DaemonConfiguration>
    let logger: Logger
    let presence: PresenceArbiter
    /// Commands from the files in commands.d, re-read on every reload.
    public let commandFiles: CommandFilesProvider
    /// The D-Bus bridge, restarted when a reload changes the `[[dbus]]` blocks.
    private let dbusBridge: RestartingService<[DBusBlock]>
    /// The health monitor, restarted when a reload changes `[monitor]`.
    private let monitor: RestartingService<MonitorSettings?>
    /// The fleet room, left and joined again when a reload changes `[fleet]`.
    private let fleet: RestartingService<FleetSettings?>
    /// What the D-Bus bridge reports (signals, what plays, failed units), as messages and the tune.
    let dbusEvents: DBusEventRelay
    /// SIGHUP and the `reload` command, one reload at a time.
    let reloads = ReloadQueue()
    /// What a reload hands the new configuration to, in this order.
    private let followers: [any ConfigurationFollower]

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = Mutex(configuration)
        self.logger = logger
        let client = XMPPClient(configuration: configuration.client, logger: logger)
        self.client = client
        let registry = CommandRegistry()
        let commandFiles = CommandFilesProvider(
            settings: configuration.commandFiles, registry: registry,
            reservedNodes: Set(DaemonConfiguration.builtinNames), logger: logger)
        self.commandFiles = commandFiles
        engine = CommandEngine(
            account: configuration.client.account,
            registry: registry,
            directory: RosterGroups(roster: client.roster),
            limits: configuration.sessionLimits,
            scheduler: EventLoopDeadlineScheduler(),
            logger: logger,
            onRefusal: { [runtime = commandFiles.runtime] refusal in runtime.recordRefusal(refusal) })
        let presence = PresenceArbiter(configured: configuration.client.presence, client: client)
        self.presence = presence
        let monitor = RestartingService(initial: configuration.monitor) { [client, logger] settings in
            await Self.runMonitor(settings, presence: presence, client: client, logger: logger)
        }
        self.monitor = monitor
        // Failed units go to the monitor's alert recipients, as they stand after the last reload.
        let dbusEvents = DBusEventRelay(client: client, alertRecipients: { monitor.settings?.alerts ?? [] }, logger: logger)
        self.dbusEvents = dbusEvents
        dbusBridge = RestartingService(initial: configuration.dbus) { [logger] blocks in
            guard !blocks.isEmpty else { return }
            await DBusBridge(blocks: blocks, registry: registry, events: dbusEvents.events, logger: logger).run()
        }
        let builtins = BuiltinCommandSet.live(presence: presence, reloads: reloads)
        let chat = ChatFrontEnd.live(engine: engine, settings: configuration.chat, client: client, logger: logger)
        self.chat = chat
        fleet = RestartingService(initial: configuration.fleet) { [logger] settings in
            await Self.runFleet(settings, chat: chat, presence: presence, client: client, logger: logger)
        }
        followers = [
            BuiltinCommandsFollower(registry: registry, commands: builtins.commands(for:)),
            RestartingFollower(service: dbusBridge, settings: \.dbus, name: "D-Bus blocks"),
            PresenceFollower(arbiter: presence),
            SubscriptionsFollower(),
            RestartingFollower(service: monitor, settings: \.monitor, name: "health monitor"),
            CommandFilesFollower(provider: commandFiles),
            ChatFollower(chat: chat, client: client),
            RestartingFollower(service: fleet, settings: \.fleet, name: "fleet room"),
            RestartOnlyFollower(),
        ]
        responder = CommandResponder(engine: engine)
        responder.attach(to: client)
        answerVersionToAdmittedContactsOnly()
        client.setSubscriptionPolicy { [weak self] contact in self?.subscriptionDecision(for: contact) ?? .leavePending }
        registry.setCommands(builtins.commands(for: configuration), provider: BuiltinCommandsFollower.provider)
        for warning in configuration.warnings { logger.warning("\(warning)") }
        commandFiles.load(configuration.commandFiles)
        warnAboutBrokenAliases()
    }

    /// Runs until a shutdown signal, then leaves the server gracefully.
    public func run() async throws {
        let services: [any Service] = [
            ClientService(client: client),
            // Shut down right before the client (reverse order), so it can still clear the tune.
            dbusEvents,
            PeriodicService(interval: .seconds(30)) { [engine] in await engine.sweep() },
            EventWatcher(daemon: self),
            ChatService(chat: chat, client: client, fleetRoom: { [fleet] in fleet.settings?.room }),
            ReloadService(queue: reloads) { [self] in await applyReload() },
            ReloadOnHangup(reloads: reloads),
            dbusBridge,
            monitor,
            fleet,
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

    /// Re-reads the configuration file and applies what can change while connected (see
    /// `followers`); account, connection and session-limit changes are reported as needing a
    /// restart. An invalid file changes nothing. Waits its turn behind other reloads.
    public func reload() async throws -> String {
        try await reloads.request().get()
    }

    /// One reload, run by the reload queue only: never two at once.
    private func applyReload() async -> ReloadQueue.Outcome {
        let old = configuration.withLock { $0 }
        let new: DaemonConfiguration
        do {
            new = try DaemonConfiguration.load(from: old.file)
        } catch {
            logger.error("reload failed, the previous configuration stays in force: \(error)")
            return .failure(.configuration(error))
        }
        for warning in new.warnings { logger.warning("\(warning)") }
        var changes: [ConfigurationChange] = []
        for follower in followers {
            changes.append(await follower.apply(new, replacing: old))
        }
        configuration.withLock { current in
            // Only what was applied is kept, so a later reload compares against what runs.
            current.builtins = new.builtins
            current.dbus = new.dbus
            current.client.presence = new.client.presence
            current.commandFiles = new.commandFiles
            current.subscriptions = new.subscriptions
            current.monitor = new.monitor
            current.chat = new.chat
            current.fleet = new.fleet
            current.warnings = new.warnings
        }
        warnAboutUnknownGroups()
        warnAboutBrokenAliases()
        let summary = ReloadSummary(file: new.file, changes: changes).text
        logger.notice("\(summary)")
        return .success(summary + ".")
    }

    /// Rules naming a group nobody on the roster is in grant nothing; say so once per login/reload.
    func warnAboutUnknownGroups() {
        let groups = configuration.withLock { $0.groupNames }.union(commandFiles.definitions.flatMap(\.policy.groupNames))
        let known = client.roster.allGroups
        for group in groups.subtracting(known).sorted() {
            logger.warning("a rule names roster group '\(group)', which no contact is in: it grants nothing")
        }
    }

    /// Chat aliases naming a node no command has: typing them runs nothing. One warning each at
    /// start and after each reload, worded as `adhocd check` words it. A node a plain `[[dbus]]`
    /// block makes only while its service runs is not judged.
    func warnAboutBrokenAliases() {
        let current = configuration.withLock { $0 }
        for (alias, finding) in AliasTargets.findings(current, commandFiles: commandFiles.report) where finding.severity == .warning {
            logger.warning("chat alias '\(alias.name)' \(finding.problem) — \(finding.fix)")
        }
    }
}
