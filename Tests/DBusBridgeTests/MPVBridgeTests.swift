import Commands
import DBus
import Logging
import TestSupport
import Testing
import XMPPCore
@testable import DBusBridge

/// The bridge against a real mpv (mpv-mpris) on a private bus, without XMPP: the commands
/// appear, drive the player, vanish when it quits and return when it restarts.
@Suite(.serialized, .enabled(if: PrivateBus.mpvTestsEnabled, Comment(rawValue: PrivateBus.mpvMissingMessage)))
struct MPVBridgeTests {
    static let requester = try! JID("owner@example.org/phone")
    static let player = "org.mpris.MediaPlayer2.mpv"
    static let base = "dbus/org.mpris.MediaPlayer2.mpv/org/mpris/MediaPlayer2/org.mpris.MediaPlayer2.Player"

    func context(_ node: String) -> CommandContext {
        CommandContext(requester: Self.requester, node: node, sessionID: "s1")
    }

    func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    @Test func drivesMPVAndFollowsItOnAndOffTheBus() async throws {
        let bus = try await PrivateBus.started()
        defer { bus.stop() }
        try await bus.mpvStarted()
        let registry = CommandRegistry()
        let blocks = [
            DBusBlock(label: "Player", bus: .address(bus.address), service: Glob("org.mpris.MediaPlayer2.*"),
                      paths: ["/org/mpris/MediaPlayer2"], interfaces: [Glob("org.mpris.MediaPlayer2.Player")],
                      methods: [Glob("PlayPause"), Glob("Pause"), Glob("Play"), Glob("Seek")], properties: [Glob("Volume"), Glob("PlaybackStatus")]),
            DBusBlock(label: "Media remote", bus: .address(bus.address), preset: .mpris, service: Glob("org.mpris.MediaPlayer2.*")),
        ]
        let bridge = Task { await DBusBridge(blocks: blocks, registry: registry, logger: Logger(label: "test")).run() }
        defer { bridge.cancel() }
        let observer = try await DBusConnection.connect(to: .address(bus.address))
        defer { observer.close() }
        func status() async throws -> String? {
            try await observer.property(destination: Self.player, path: "/org/mpris/MediaPlayer2", interface: "org.mpris.MediaPlayer2.Player", name: "PlaybackStatus").stringValue
        }

        try await waitFor("mpv's commands") { registry.command(for: "\(Self.base).Pause") != nil && registry.command(for: "mpris/remote") != nil }
        try await waitFor("playback") { try await status() == "Playing" }

        // A method without arguments runs at once.
        let pause = try #require(registry.command(for: "\(Self.base).Pause"))
        guard case .complete(.note(let text, _)) = try await pause.start(context(pause.node)) else { Issue.record("Pause did not complete"); return }
        #expect(text.contains("done"))
        try await waitFor("pause") { try await status() == "Paused" }

        // Setting a property through its typed form.
        let setVolume = try #require(registry.command(for: "\(Self.base).Volume/set"))
        guard case .ask(let stage) = try await setVolume.start(context(setVolume.node)) else { Issue.record("no form"); return }
        #expect(stage.form.fields.first?.values == ["0.5"])
        _ = try await setVolume.submit(stage: stage.id, values: SubmittedValues(["value": ["0.25"]]), action: .complete, context: context(setVolume.node))
        let volume = try await observer.property(destination: Self.player, path: "/org/mpris/MediaPlayer2", interface: "org.mpris.MediaPlayer2.Player", name: "Volume")
        #expect(volume.doubleValue == 0.25)

        // Bad input is explained, and nothing is called.
        let setBad = try await setVolume.submit(stage: stage.id, values: SubmittedValues(["value": ["loud"]]), action: .complete, context: context(setVolume.node))
        guard case .complete(.failure(let problem)) = setBad else { Issue.record("\(setBad)"); return }
        #expect(problem.contains("'loud' is not a number"))

        // The media remote: one player, so straight to the loop stage; each action re-shows state.
        let remote = try #require(registry.command(for: "mpris/remote"))
        #expect(remote.sessionTimeout == .seconds(4 * 3600))
        guard case .ask(let loop) = try await remote.start(context(remote.node)) else { Issue.record("no remote stage"); return }
        #expect(!loop.isFinal)
        #expect(loop.form.fields.first { $0.variable == "status" }?.values == ["Paused"])
        #expect(loop.form.fields.first { $0.variable == "action" }?.options.count == MediaAction.allCases.count)
        guard case .ask(let after) = try await remote.submit(stage: loop.id, values: SubmittedValues(["action": ["play-pause"]]), action: .next, context: context(remote.node)) else {
            Issue.record("the remote did not loop"); return
        }
        #expect(after.note == "Done: ⏯ Play/Pause")
        #expect(after.form.fields.first { $0.variable == "status" }?.values == ["Playing"])
        guard case .ask(let louder) = try await remote.submit(stage: after.id, values: SubmittedValues(["action": ["volume-up"]]), action: .next, context: context(remote.node)) else {
            Issue.record("the remote did not loop"); return
        }
        #expect(louder.form.fields.first { $0.variable == "volume" }?.values == ["35 %"])
        guard case .complete(.note(let summary, _)) = try await remote.submit(stage: louder.id, values: SubmittedValues([:]), action: .complete, context: context(remote.node)) else {
            Issue.record("the remote did not complete"); return
        }
        #expect(summary.hasPrefix("Playing"))

        // mpv quits: its commands vanish at once; it comes back: so do they.
        bus.stopMPV()
        try await waitFor("commands to vanish") { registry.command(for: "\(Self.base).Pause") == nil && registry.command(for: "mpris/remote") == nil }
        try await bus.mpvStarted()
        try await waitFor("commands to return") { registry.command(for: "\(Self.base).Pause") != nil && registry.command(for: "mpris/remote") != nil }

        // Cancelling the bridge removes everything it added.
        bridge.cancel()
        try await waitFor("cleanup") { registry.commands.isEmpty }
    }

    @Test func aBridgeReplacedByAReloadLeavesItsSuccessorsCommandsAlone() async throws {
        let bus = try await PrivateBus.started()
        defer { bus.stop() }
        try await bus.mpvStarted()
        let registry = CommandRegistry()
        let blocks = [DBusBlock(label: "Media remote", bus: .address(bus.address), preset: .mpris, service: Glob("org.mpris.MediaPlayer2.*"))]
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let old = Task { await DBusBridge(blocks: blocks, registry: registry, logger: logger).run() }
        try await waitFor("the old bridge's remote") { registry.command(for: "mpris/remote") != nil }
        let new = Task { await DBusBridge(blocks: blocks, registry: registry, logger: logger).run() }
        defer { new.cancel() }
        try await waitFor("the new bridge's remote") { registry.providers.count == 2 }
        // The old bridge's clean-up runs after the new one registered: it removes only its own.
        old.cancel()
        await old.value
        #expect(registry.providers.count == 1)
        #expect(registry.command(for: "mpris/remote") != nil)
    }

    @Test func reportsWhatPlaysAndTheSignalsABlockNames() async throws {
        let bus = try await PrivateBus.started()
        defer { bus.stop() }
        try await bus.mpvStarted()
        let (stream, continuation) = AsyncStream.makeStream(of: DBusEvent.self)
        let policy = AccessPolicy(allow: [.group("coloc")])
        let blocks = [
            DBusBlock(label: "Media remote", bus: .address(bus.address), preset: .mpris, service: Glob("org.mpris.MediaPlayer2.*"), policy: policy),
            DBusBlock(
                label: "Seeks", bus: .address(bus.address), service: Glob("org.mpris.MediaPlayer2.mpv"), policy: policy,
                events: BlockEvents(signals: [Glob("org.mpris.MediaPlayer2.Player.Seek*")], notify: [.group("coloc")],
                                    template: try SignalTemplate(parsing: "{sender} {member} to {arg0} µs"), rateLimit: 100)),
        ]
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let bridge = Task { await DBusBridge(blocks: blocks, registry: CommandRegistry(), events: continuation, logger: logger).run() }
        defer { bridge.cancel() }
        let heard = EventLog()
        let reader = Task { for await event in stream { await heard.append(event) } }
        defer { reader.cancel() }

        // An empty tune first (whatever an earlier run left), then the tone mpv plays.
        try await waitFor("the tune") { await heard.tunes.count >= 2 }
        let tunes = await heard.tunes
        #expect(tunes[0] == nil && tunes[1]?.title == "Test tone" && tunes[1]?.artist == nil)

        // Seeking makes mpv emit Seeked: a notice for the block's recipients, under its rules.
        let observer = try await DBusConnection.connect(to: .address(bus.address))
        defer { observer.close() }
        try await waitFor("a Seeked notice") {
            // The subscription may still be on its way: seek until a notice comes.
            _ = try await observer.call(destination: Self.player, path: "/org/mpris/MediaPlayer2", interface: "org.mpris.MediaPlayer2.Player",
                                        member: "Seek", arguments: [.int64(1_000_000)])
            return await !heard.notices.isEmpty
        }
        let seeked = try #require(await heard.notices.first)
        #expect(seeked.text.hasPrefix("org.mpris.MediaPlayer2.mpv Seeked to "))
        #expect(seeked.text.hasSuffix(" µs"))
        #expect(seeked.recipients == [.group("coloc")] && seeked.policy == policy && seeked.signal == "org.mpris.MediaPlayer2.Player.Seeked")

        // mpv quits: the tune is empty again.
        bus.stopMPV()
        try await waitFor("an empty tune") {
            let tunes = await heard.tunes
            return tunes.count >= 3 && tunes.last == .some(nil)
        }

        // The bridge stops: it leaves an empty tune behind.
        bridge.cancel()
        await bridge.value
        #expect(await heard.tunes.last == .some(nil))
    }
}

/// Events as they arrive, for polling.
actor EventLog {
    private(set) var events: [DBusEvent] = []

    func append(_ event: DBusEvent) { events.append(event) }

    var tunes: [Track?] { events.compactMap { if case .nowPlaying(let track) = $0 { .some(track) } else { nil } } }
    var notices: [SignalNotice] { events.compactMap { if case .signal(let notice) = $0 { notice } else { nil } } }
}
