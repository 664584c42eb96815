import DBus
import Logging

/// The events of one bus's blocks: signals their `signals` name, what their media players play
/// (the User Tune), systemd units entering `failed`. `BusWatcher` tells it which names come and
/// go; it answers with the watches to start (each with its own signal subscription), which run
/// as child tasks of the connection's task group, one per thing to follow, keyed by the owner's
/// unique name so a process under two names is followed once.
actor BusEventWatcher {
    /// One thing followed on behalf of one owner.
    struct WatchKey: Hashable, Sendable {
        enum Kind: Hashable, Sendable {
            /// The signals of block `block`.
            case signals(block: Int)
            /// A media player's state, for the User Tune.
            case player
            /// A unit's ActiveState, for block `block`.
            case unit(block: Int, unit: String)
        }

        var owner: String
        var kind: Kind
    }

    let bus: DBusBusAddress
    let blocks: [(index: Int, block: DBusBlock)]
    let events: AsyncStream<DBusEvent>.Continuation
    let board: NowPlayingBoard
    let logger: Logger
    /// Well-known names of the blocks' services → their unique owner.
    var owners: [String: String] = [:]
    /// The running watches, and how to stop each.
    var watches: [WatchKey: WatchStop] = [:]
    var connection: DBusConnection?
    /// Per block index: its messages per signal and per unit in any minute.
    var rateLimits: [Int: EventRateLimit] = [:]
    /// Owners of systemd's manager already asked to emit unit signals.
    var subscribedManagers: Set<String> = []
    private let started = ContinuousClock.now

    init(
        bus: DBusBusAddress, blocks: [(index: Int, block: DBusBlock)], events: AsyncStream<DBusEvent>.Continuation,
        board: NowPlayingBoard, logger: Logger
    ) {
        self.bus = bus
        self.blocks = blocks
        self.events = events
        self.board = board
        self.logger = logger
        for (index, block) in blocks { rateLimits[index] = EventRateLimit(limit: block.events.rateLimit) }
    }

    /// Whether any block of this bus has something to follow.
    static func isNeeded(for blocks: [(index: Int, block: DBusBlock)]) -> Bool {
        blocks.contains { !$0.block.events.signals.isEmpty || $0.block.events.publishesTune || $0.block.preset == .systemd }
    }

    // MARK: Names

    /// A watch to run as a child task until it is stopped or the connection ends.
    typealias Watch = @Sendable () async -> Void

    func attach(_ connection: DBusConnection) {
        self.connection = connection
    }

    /// A name of a block's service got an owner (new, or handed over); returns the watches to start.
    func nameAppeared(_ name: String, owner: String) -> [Watch] {
        if let previous = owners[name], previous != owner {
            owners[name] = nil
            _ = reconcile(previous)
        }
        owners[name] = owner
        return reconcile(owner)
    }

    func nameVanished(_ name: String) {
        guard let owner = owners.removeValue(forKey: name) else { return }
        _ = reconcile(owner)
    }

    /// The connection ended: every watch is told to stop (the task group waits for them).
    func detach() {
        connection = nil
        owners.removeAll()
        subscribedManagers.removeAll()
        for stop in watches.values { stop.fire() }
        watches.removeAll()
    }

    /// After the watches of a lost connection have ended: its players play nothing any more.
    func forgetPlayers() async {
        await board.removeAll(on: "\(bus)")
    }

    /// Stops the watches an owner's names no longer call for; returns those they newly call for.
    private func reconcile(_ owner: String) -> [Watch] {
        let wanted = wantedWatches(of: owner)
        for (key, stop) in watches where key.owner == owner && !wanted.contains(key) {
            stop.fire()
            watches[key] = nil
        }
        guard let connection else { return [] }
        var started: [Watch] = []
        for key in wanted where watches[key] == nil {
            let stop = WatchStop()
            watches[key] = stop
            started.append { await stop.run { await self.follow(key, connection: connection) } }
        }
        return started
    }

    private func wantedWatches(of owner: String) -> Set<WatchKey> {
        let names = owners.filter { $0.value == owner }.keys
        var wanted = Set<WatchKey>()
        for (index, block) in blocks where names.contains(where: block.service.matches) {
            if !block.events.signals.isEmpty { wanted.insert(WatchKey(owner: owner, kind: .signals(block: index))) }
            if block.preset == .mpris, block.events.publishesTune { wanted.insert(WatchKey(owner: owner, kind: .player)) }
            if block.preset == .systemd {
                for unit in block.units { wanted.insert(WatchKey(owner: owner, kind: .unit(block: index, unit: unit))) }
            }
        }
        return wanted
    }

    /// The name people know an owner by in `block`: its shortest matching well-known name.
    func serviceName(of owner: String, in block: DBusBlock) -> String {
        owners.filter { $0.value == owner && block.service.matches($0.key) }.keys
            .min { ($0.count, $0) < ($1.count, $1) } ?? owner
    }

    private func follow(_ key: WatchKey, connection: DBusConnection) async {
        switch key.kind {
        case .signals(let index):
            guard let block = block(index) else { return }
            await followSignals(of: key.owner, block: block, index: index, connection: connection)
        case .player:
            await followPlayer(key.owner, connection: connection)
        case .unit(let index, let unit):
            guard let block = block(index) else { return }
            await followUnit(unit, of: key.owner, block: block, index: index, connection: connection)
        }
    }

    private func block(_ index: Int) -> DBusBlock? {
        blocks.first { $0.index == index }?.block
    }

    // MARK: Rate limits

    /// Whether a message of `key` in block `index` may go out now, and how many were held back.
    func admit(_ key: String, block index: Int) -> EventRateLimit.Admission {
        let elapsed = ContinuousClock.now - started
        let now = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return rateLimits[index]?.admit(key, now: now) ?? .send(heldBack: 0)
    }
}
