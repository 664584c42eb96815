import Commands
import DBus
import Logging

/// Keeps the commands of every `[[dbus]]` block in step with the buses: connects (and
/// reconnects), watches `NameOwnerChanged`, and adds or removes a service's commands the
/// moment it appears on or leaves the bus.
///
/// Besides commands it reports events (`DBusEvent`: signals for `notify`, what plays, failed
/// units) into `events`, and knows nothing of how they reach people.
public struct DBusBridge: Sendable {
    public let blocks: [DBusBlock]
    private let registry: CommandRegistry
    private let events: AsyncStream<DBusEvent>.Continuation?
    private let logger: Logger

    /// Registry provider names start with this, so a reload can drop them all.
    public static let providerPrefix = "dbus:"

    /// Tells this bridge's providers from those of the bridge a reload starts in its place:
    /// the old one's clean-up, which may run after the new one registers, removes only its own.
    private let generation = UInt64.random(in: .min ... .max)

    /// Without `events`, only commands: nothing is watched for events.
    public init(blocks: [DBusBlock], registry: CommandRegistry, events: AsyncStream<DBusEvent>.Continuation? = nil, logger: Logger) {
        self.blocks = blocks
        self.registry = registry
        self.events = events
        self.logger = logger
    }

    /// The ordinal of each media-remote block, by block index. Remotes are numbered among
    /// themselves, so their nodes stay put when other blocks change.
    static func remoteOrdinals(_ blocks: [DBusBlock]) -> [Int: Int] {
        var ordinals: [Int: Int] = [:]
        for (index, block) in blocks.enumerated() where block.preset == .mpris { ordinals[index] = ordinals.count }
        return ordinals
    }

    /// Runs until cancelled; then removes every command it added.
    public func run() async {
        var buses: [DBusBusAddress] = []
        for block in blocks where !buses.contains(block.bus) { buses.append(block.bus) }
        let remoteOrdinals = Self.remoteOrdinals(blocks)
        let board = events.map(NowPlayingBoard.init)
        let showsTune = blocks.contains { $0.preset == .mpris && $0.events.publishesTune }
        // An empty tune first: what an earlier run published may be stale.
        if showsTune { await board?.reportCurrent() }
        await withTaskGroup(of: Void.self) { group in
            for bus in buses {
                let indexed = blocks.enumerated().filter { $0.element.bus == bus }.map { (index: $0.offset, block: $0.element) }
                var eventWatcher: BusEventWatcher?
                if let events, let board, BusEventWatcher.isNeeded(for: indexed) {
                    eventWatcher = BusEventWatcher(bus: bus, blocks: indexed, events: events, board: board, logger: logger)
                }
                let watcher = BusWatcher(
                    bus: bus, blocks: indexed, remoteOrdinals: remoteOrdinals, generation: generation, registry: registry,
                    events: eventWatcher, logger: logger)
                group.addTask { await watcher.run() }
            }
        }
        // Every bus watcher has forgotten its players by now: the tune is empty again.
        if showsTune { await board?.reportCurrent() }
    }
}

/// One bus: its connection, the names on it, and the commands of the blocks that use it.
actor BusWatcher {
    let bus: DBusBusAddress
    let blocks: [(index: Int, block: DBusBlock)]
    let remoteOrdinals: [Int: Int]
    let generation: UInt64
    let registry: CommandRegistry
    let logger: Logger
    let handle: BusHandle
    /// Signals, players and units to follow; nil when no block of this bus has events.
    let events: BusEventWatcher?
    /// Media players on the bus: well-known name → unique owner (`:1.42`). One player may own
    /// several names (newer mpv-mpris adds `….mpv.instancePID`); the remote lists it once.
    private var players: [String: String] = [:]

    init(
        bus: DBusBusAddress, blocks: [(index: Int, block: DBusBlock)], remoteOrdinals: [Int: Int], generation: UInt64,
        registry: CommandRegistry, events: BusEventWatcher?, logger: Logger
    ) {
        self.bus = bus
        self.blocks = blocks
        self.remoteOrdinals = remoteOrdinals
        self.generation = generation
        self.registry = registry
        self.events = events
        var logger = logger
        logger[metadataKey: "bus"] = "\(bus)"
        self.logger = logger
        handle = BusHandle(bus: bus)
    }

    func run() async {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                let connection = try await DBusConnection.connect(to: bus, defaultTimeout: blocks.map(\.block.callTimeout).max() ?? DBusConnection.defaultCallTimeout, logger: logger)
                delay = .seconds(1)
                logger.info("connected to the D-Bus \(bus)")
                await serve(connection)
                connection.close()
                if !Task.isCancelled { logger.warning("lost the D-Bus \(bus); reconnecting") }
            } catch {
                logger.warning("cannot use the D-Bus \(bus): \(error); retrying in \(delay)")
            }
            removeAll()
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
        removeAll()
    }

    /// Follows the names on the bus until the connection ends. Event watches run as child
    /// tasks of this connection, so none outlives it.
    private func serve(_ connection: DBusConnection) async {
        handle.connection = connection
        await events?.attach(connection)
        await withDiscardingTaskGroup { group in
            do {
                let changes = try await connection.nameOwnerChanges()
                for name in try await connection.listNames() where !name.hasPrefix(":") && matchesAnyBlock(name) {
                    guard let owner = try await connection.nameOwner(of: name) else { continue }
                    for watch in await nameAppeared(name, owner: owner, connection: connection) { group.addTask(operation: watch) }
                }
                await withTaskCancellationHandler {
                    for await change in changes where !change.name.hasPrefix(":") && matchesAnyBlock(change.name) {
                        if change.newOwner.isEmpty {
                            await nameVanished(change.name)
                        } else {
                            // A new name, or one handed to another process: (re)build its commands.
                            for watch in await nameAppeared(change.name, owner: change.newOwner, connection: connection) {
                                group.addTask(operation: watch)
                            }
                        }
                    }
                } onCancel: {
                    connection.close()
                }
            } catch {
                logger.warning("D-Bus \(bus): \(error)")
            }
            await events?.detach()
        }
        await events?.forgetPlayers()
        handle.connection = nil
    }

    private func matchesAnyBlock(_ name: String) -> Bool {
        blocks.contains { $0.block.service.matches(name) }
    }

    /// Builds the commands of a name that appeared; returns the event watches it calls for.
    private func nameAppeared(_ name: String, owner: String, connection: DBusConnection) async -> [BusEventWatcher.Watch] {
        let watches = await events?.nameAppeared(name, owner: owner) ?? []
        for (index, block) in blocks where block.service.matches(name) {
            switch block.preset {
            case .none where block.methods.isEmpty && block.properties.isEmpty:
                // A block for signals only: nothing to introspect.
                continue
            case .none:
                let builder = CommandBuilder(block: block, handle: handle)
                do {
                    let objects = try await builder.discover(name, connection: connection, logger: logger)
                    let commands = builder.commands(for: name, objects: objects)
                    registry.setCommands(commands, provider: provider(index, name))
                    logger.info("\(name) appeared: \(commands.count) commands", metadata: ["block": "\(block.label)"])
                } catch {
                    logger.warning("cannot read \(name): \(error)")
                }
            case .mpris:
                players[name] = owner
                refreshMediaRemote(index: index, block: block)
            case .systemd:
                registry.setCommands(SystemdUnitCommands.make(block: block, handle: handle), provider: provider(index, name))
                logger.info("\(name) appeared: commands for \(block.units.count) units")
            }
        }
        return watches
    }

    private func nameVanished(_ name: String) async {
        await events?.nameVanished(name)
        for (index, block) in blocks where block.service.matches(name) {
            switch block.preset {
            case .none, .systemd:
                registry.removeProvider(provider(index, name))
            case .mpris:
                players[name] = nil
                refreshMediaRemote(index: index, block: block)
            }
            logger.info("\(name) left the bus; its commands are gone", metadata: ["block": "\(block.label)"])
        }
    }

    /// One remote for all players of the block, listed while at least one player is there.
    private func refreshMediaRemote(index: Int, block: DBusBlock) {
        // Per owner, its shortest name: `org.mpris.MediaPlayer2.mpv` rather than its instance alias.
        var nameByOwner: [String: String] = [:]
        for (name, owner) in players where block.service.matches(name) {
            if let known = nameByOwner[owner], (known.count, known) <= (name.count, name) { continue }
            nameByOwner[owner] = name
        }
        let players = nameByOwner.values.sorted()
        if players.isEmpty {
            registry.removeProvider(provider(index, "remote"))
        } else {
            let remote = MediaRemoteCommand(block: block, ordinal: remoteOrdinals[index] ?? index, handle: handle, players: players)
            registry.setCommands([remote], provider: provider(index, "remote"))
            logger.info("media remote \(remote.node) drives \(players.joined(separator: ", "))", metadata: ["block": "\(block.label)"])
        }
    }

    private func removeAll() {
        players.removeAll()
        for provider in registry.providers where provider.hasPrefix(DBusBridge.providerPrefix + busKey) {
            registry.removeProvider(provider)
        }
    }

    private var busKey: String { "\(generation)|\(bus)|" }

    private func provider(_ index: Int, _ name: String) -> String {
        "\(DBusBridge.providerPrefix)\(busKey)\(index)|\(name)"
    }
}
