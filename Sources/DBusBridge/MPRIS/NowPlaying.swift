/// Which one track the bot shows as its User Tune when several players run: of those playing,
/// the one that most recently started playing or changed track. Paused, stopped and vanished
/// players show nothing; with none playing, the tune is empty.
struct NowPlayingChoice: Sendable, Equatable {
    /// A player: its bus and unique name (`:1.42`), so one process under two names counts once.
    struct Player: Sendable, Hashable {
        var bus: String
        var owner: String
    }

    private struct Entry: Sendable, Equatable {
        var isPlaying: Bool
        var track: Track
        /// When it last started playing or changed track (a counter, not a clock).
        var since: Int
    }

    private var entries: [Player: Entry] = [:]
    private var clock = 0

    /// A player's current state; returns whether it was news for the choice (changed anything).
    @discardableResult
    mutating func update(_ player: Player, isPlaying: Bool, track: Track) -> Bool {
        let before = entries[player]
        guard before?.isPlaying != isPlaying || before?.track != track else { return false }
        var since = before?.since ?? 0
        if isPlaying, before?.isPlaying != true || before?.track != track {
            clock += 1
            since = clock
        }
        entries[player] = Entry(isPlaying: isPlaying, track: track, since: since)
        return true
    }

    mutating func remove(_ player: Player) {
        entries[player] = nil
    }

    /// Forgets every player of a bus (its connection ended).
    mutating func removeAll(on bus: String) {
        entries = entries.filter { $0.key.bus != bus }
    }

    /// The track to show; nil for an empty tune.
    var current: Track? {
        let playing = entries.values.filter { $0.isPlaying && !$0.track.isBlank }
        return playing.max { $0.since < $1.since }?.track
    }
}

/// The bridge's one User Tune across all buses: reports `.nowPlaying` when the choice changes.
actor NowPlayingBoard {
    private var choice = NowPlayingChoice()
    private var reported: Track??
    private let events: AsyncStream<DBusEvent>.Continuation

    init(events: AsyncStream<DBusEvent>.Continuation) {
        self.events = events
    }

    func update(_ player: NowPlayingChoice.Player, state: MediaPlayerState) {
        choice.update(player, isPlaying: state.isPlaying, track: Track(playing: state))
        report()
    }

    func remove(_ player: NowPlayingChoice.Player) {
        choice.remove(player)
        report()
    }

    func removeAll(on bus: String) {
        choice.removeAll(on: bus)
        report()
    }

    /// Reports the current choice whether or not it changed: at start, so a stale tune from an
    /// earlier run is replaced, and when the bridge stops.
    func reportCurrent() {
        reported = .some(choice.current)
        events.yield(.nowPlaying(choice.current))
    }

    private func report() {
        let current = choice.current
        guard reported != .some(current) else { return }
        reported = .some(current)
        events.yield(.nowPlaying(current))
    }
}
