import DBus
import Testing
@testable import DBusBridge

/// MPRIS Metadata → the User Tune's track, and which player's track the bot shows.
@Suite struct NowPlayingTests {
    static func state(_ status: String, _ metadata: [String: DBusValue]) -> MediaPlayerState {
        MediaPlayerState(properties: [
            "PlaybackStatus": .string(status),
            "Metadata": .dictionary(key: .string, value: .variant, metadata.sorted { $0.key < $1.key }.map {
                DBusDictionaryEntry(key: .string($0.key), value: .variant($0.value))
            }),
        ])
    }

    static let song: [String: DBusValue] = [
        "xesam:title": .string("Heart of the Sunrise"),
        "xesam:artist": .array(element: .string, [.string("Yes"), .string("Jon Anderson")]),
        "xesam:album": .string("Fragile"),
        "mpris:length": .int64(686_400_000),
        "xesam:trackNumber": .int32(4),
        "xesam:url": .string("file:///home/alice/private/yes.flac"),
    ]

    @Test func mapsMetadataToTheTunesFields() {
        let track = Track(playing: Self.state("Playing", Self.song))
        #expect(track == Track(artist: "Yes, Jon Anderson", title: "Heart of the Sunrise", source: "Fragile", length: 686, track: "4"))
    }

    @Test func toleratesWhatPlayersReallySend() {
        // One artist as a plain string, an unsigned length, no album, an empty title.
        let loose = Track(playing: Self.state("Playing", [
            "xesam:artist": .string("Solo"), "mpris:length": .uint64(1_500_000), "xesam:title": .string(""),
        ]))
        #expect(loose == Track(artist: "Solo", title: nil, source: nil, length: 2, track: nil))
        // No metadata at all: nothing to show.
        #expect(Track(playing: Self.state("Playing", [:])).isBlank)
        // Zero or negative lengths and track numbers are left out.
        let zero = Track(playing: Self.state("Playing", ["xesam:title": .string("x"), "mpris:length": .int64(0), "xesam:trackNumber": .int32(-1)]))
        #expect(zero.length == nil && zero.track == nil)
    }

    @Test func hostileTextIsCleanedAndCut() {
        let hostile = Track(playing: Self.state("Playing", [
            "xesam:title": .string("  line\none\u{7}\u{85} "), "xesam:album": .string(String(repeating: "a", count: 5000)),
        ]))
        #expect(hostile.title == "line one")
        #expect(hostile.source?.count == Track.fieldLimit && hostile.source?.hasSuffix("…") == true)
    }

    @Test func showsThePlayerThatChangedLastAndIsPlaying() {
        let mpv = NowPlayingChoice.Player(bus: "session", owner: ":1.5")
        let radio = NowPlayingChoice.Player(bus: "session", owner: ":1.9")
        let song = Track(artist: "Yes", title: "Roundabout")
        let news = Track(title: "News")
        var choice = NowPlayingChoice()
        #expect(choice.current == nil)
        choice.update(mpv, isPlaying: true, track: song)
        #expect(choice.current == song)
        // The radio starts later: it wins.
        choice.update(radio, isPlaying: true, track: news)
        #expect(choice.current == news)
        // The same state again is no news and changes nothing.
        let changed = choice.update(mpv, isPlaying: true, track: song)
        #expect(!changed)
        #expect(choice.current == news)
        // mpv changes track: it is the latest now.
        let next = Track(artist: "Yes", title: "South Side of the Sky")
        choice.update(mpv, isPlaying: true, track: next)
        #expect(choice.current == next)
        // Paused: the other one that plays shows.
        choice.update(mpv, isPlaying: false, track: next)
        #expect(choice.current == news)
        // The radio quits: nothing plays.
        choice.remove(radio)
        #expect(choice.current == nil)
        // Resuming counts as a change.
        choice.update(radio, isPlaying: true, track: news)
        choice.update(mpv, isPlaying: true, track: next)
        #expect(choice.current == next)
        // A bus that went away takes its players along.
        choice.removeAll(on: "session")
        #expect(choice.current == nil)
    }

    @Test func aPlayerWithoutMetadataShowsNothing() {
        var choice = NowPlayingChoice()
        choice.update(.init(bus: "session", owner: ":1.1"), isPlaying: true, track: Track())
        #expect(choice.current == nil)
    }

    @Test func theBoardReportsOnlyChanges() async {
        let (stream, continuation) = AsyncStream.makeStream(of: DBusEvent.self)
        let board = NowPlayingBoard(events: continuation)
        let player = NowPlayingChoice.Player(bus: "session", owner: ":1.5")
        await board.reportCurrent()
        await board.update(player, state: Self.state("Playing", Self.song))
        await board.update(player, state: Self.state("Playing", Self.song))
        await board.update(player, state: Self.state("Stopped", Self.song))
        await board.remove(player)
        continuation.finish()
        var events: [DBusEvent] = []
        for await event in stream { events.append(event) }
        #expect(events == [.nowPlaying(nil), .nowPlaying(Track(playing: Self.state("Playing", Self.song))), .nowPlaying(nil)])
    }
}
