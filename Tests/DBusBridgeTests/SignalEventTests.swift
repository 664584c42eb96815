import Commands
import DBus
import TOMLConfig
import Testing
import XMPPCore
@testable import DBusBridge

/// Signals as messages: the block's keys, the template, the rate limit.
@Suite struct SignalEventTests {
    func block(_ toml: String) throws -> DBusBlock {
        var section = ConfigSection(file: "test.toml", path: "dbus[1]", values: try ConfigValue.parseTOML(toml, file: "test.toml"))
        let block = try DBusBlock.read(&section)
        try section.rejectUnknownKeys()
        return block
    }

    func problem(_ toml: String) -> String? {
        do {
            _ = try block(toml)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let alarm = DBusSignal(
        sender: ":1.7", path: "/org/example/Alarm", interface: "org.example.Alarm", member: "Raised",
        arguments: [.string("disk full"), .uint32(3), .array(element: .string, [.string("a"), .string("b")])])

    // MARK: Configuration

    @Test func readsSignalsNotifyTemplateAndRateLimit() throws {
        let read = try block("""
            service = "org.example.Alarm"
            signals = ["org.example.Alarm.*", "org.example.Other.Done"]
            notify = ["group:admins", "jid:ops@example.org"]
            template = "{sender}: {arg0}"
            rate_limit = 2
            allow = ["group:admins"]
            """)
        #expect(read.events.signals == [Glob("org.example.Alarm.*"), Glob("org.example.Other.Done")])
        #expect(read.events.notify == [.group("admins"), .account(try JID("ops@example.org"))])
        #expect(read.events.template.source == "{sender}: {arg0}")
        #expect(read.events.rateLimit == 2)
        #expect(read.events.publishesTune == false)
        #expect(read.events.groupNames == ["admins"])
        #expect(read.events.names(interface: "org.example.Alarm", member: "Raised"))
        #expect(read.events.names(interface: "org.example.Other", member: "Done"))
        #expect(!read.events.names(interface: "org.example.Other", member: "Started"))
    }

    @Test func defaultsAreDocumented() throws {
        let read = try block("service = \"org.x.Y\"\nmethods = [\"*\"]")
        #expect(read.events == BlockEvents())
        #expect(read.events.rateLimit == 5)
        #expect(read.events.template == SignalTemplate.default)
        #expect(try SignalTemplate(parsing: "{label}: {member} {args}") == SignalTemplate.default)
    }

    @Test func aBlockMayNameOnlySignals() throws {
        let read = try block("service = \"org.x.Y\"\nsignals = [\"org.x.Y.Changed\"]\nnotify = [\"group:g\"]")
        #expect(read.methods.isEmpty && read.properties.isEmpty && read.events.signals.count == 1)
    }

    @Test func refusesIncompleteOrWrongEventKeys() {
        #expect(problem("service = \"org.x.Y\"\nsignals = [\"org.x.Y.Changed\"]")?.contains("notify: is required with signals") == true)
        #expect(problem("service = \"org.x.Y\"\nmethods = [\"*\"]\nnotify = [\"group:g\"]")?.contains("signals: is required with notify") == true)
        #expect(problem("service = \"org.x.Y\"\nsignals = [\"Changed\"]\nnotify = [\"group:g\"]")?.contains("is not interface.member") == true)
        #expect(problem("service = \"org.x.Y\"\nsignals = [\"a.B\"]\nnotify = [\"admins\"]")?.contains("notify: 'admins' is not a recipient") == true)
        #expect(problem("service = \"org.x.Y\"\nsignals = [\"a.B\"]\nnotify = [\"jid:a@b/c\"]")?.contains("notify:") == true)
        #expect(problem("service = \"org.x.Y\"\nsignals = [\"a.B\"]\nnotify = [\"group:g\"]\ntemplate = \"{nope}\"")?
            .contains("template: {nope} is not a placeholder") == true)
        #expect(problem("service = \"org.x.Y\"\nsignals = [\"a.B\"]\nnotify = [\"group:g\"]\nrate_limit = 0") != nil)
        #expect(problem("preset = \"systemd\"\nunits = [\"a.service\"]\ntune = true")?.contains("tune: applies to preset = \"mpris\" only") == true)
    }

    @Test func theTuneIsOnForMediaPlayersUnlessSwitchedOff() throws {
        #expect(try block("preset = \"mpris\"").events.publishesTune)
        #expect(try !block("preset = \"mpris\"\ntune = false").events.publishesTune)
        #expect(try !block("preset = \"systemd\"\nunits = [\"a.service\"]").events.publishesTune)
    }

    // MARK: Template

    @Test func rendersEveryPlaceholder() throws {
        let template = try SignalTemplate(parsing: "[{label}] {sender} {path} {interface}.{member}: {arg0} ({arg1}) {args} {arg5}.")
        #expect(template.render(Self.alarm, sender: "org.example.Alarm", label: "Alarms")
            == "[Alarms] org.example.Alarm /org/example/Alarm org.example.Alarm.Raised: disk full (3) disk full, 3, a\nb .")
    }

    @Test func bracesAreEscapedByDoublingAndValuesAreNeverExpanded() throws {
        let template = try SignalTemplate(parsing: "{{literal}} {arg0} }}")
        let tricky = DBusSignal(sender: ":1.1", path: "/", interface: "a.B", member: "C", arguments: [.string("{member} {{x}}")])
        #expect(template.render(tricky, sender: "a.B", label: "L") == "{literal} {member} {{x}} }")
    }

    @Test func refusesWhatIsNoPlaceholder() {
        #expect(throws: SignalTemplateError.unknownPlaceholder("arg")) { try SignalTemplate(parsing: "{arg}") }
        #expect(throws: SignalTemplateError.unknownPlaceholder("arg01")) { try SignalTemplate(parsing: "{arg01}") }
        #expect(throws: SignalTemplateError.unknownPlaceholder("arg64")) { try SignalTemplate(parsing: "{arg64}") }
        #expect(throws: SignalTemplateError.unclosed) { try SignalTemplate(parsing: "{arg0") }
        #expect(throws: SignalTemplateError.strayBrace) { try SignalTemplate(parsing: "arg0}") }
        #expect((try? SignalTemplate(parsing: "{arg63}")) != nil)
    }

    @Test func trailingSpaceOfMissingArgumentsIsDropped() {
        let bare = DBusSignal(sender: ":1.1", path: "/", interface: "a.B", member: "Ping", arguments: [])
        #expect(SignalTemplate.default.render(bare, sender: "a.B", label: "Box") == "Box: Ping")
    }

    @Test func longValuesAndMessagesAreCut() throws {
        let huge = DBusSignal(sender: ":1.1", path: "/", interface: "a.B", member: "C", arguments: Array(repeating: .string(String(repeating: "x", count: 2000)), count: 10))
        let one = try SignalTemplate(parsing: "{arg0}").render(huge, sender: "", label: "")
        #expect(one.count == SignalTemplate.valueLimit && one.hasSuffix("…"))
        let all = try SignalTemplate(parsing: "{args}").render(huge, sender: "", label: "")
        #expect(all.count == SignalTemplate.messageLimit && all.hasSuffix("…"))
    }

    // MARK: Rate limit

    @Test func sendsUpToTheLimitAMinuteAndCountsWhatItHeldBack() {
        var limit = EventRateLimit(limit: 2)
        #expect(limit.admit("a", now: 0) == .send(heldBack: 0))
        #expect(limit.admit("a", now: 1) == .send(heldBack: 0))
        #expect(limit.admit("a", now: 2) == .holdBack)
        #expect(limit.admit("a", now: 30) == .holdBack)
        // Another signal has its own budget.
        #expect(limit.admit("b", now: 30) == .send(heldBack: 0))
        // The window slides: a minute after the first, one more may go, saying two were held back.
        #expect(limit.admit("a", now: 60) == .send(heldBack: 2))
        #expect(limit.admit("a", now: 60.5) == .holdBack)
        #expect(limit.admit("a", now: 61) == .send(heldBack: 1))
    }

    @Test func forgetsQuietSignalsSoManyNamesCannotGrowIt() {
        var limit = EventRateLimit(limit: 1, capacity: 100)
        for index in 0..<1000 { _ = limit.admit("signal\(index)", now: Double(index)) }
        #expect(limit.trackedCount <= 100)
        // Held-back counts survive while the window is open.
        var busy = EventRateLimit(limit: 1, capacity: 2)
        _ = busy.admit("a", now: 0)
        #expect(busy.admit("a", now: 1) == .holdBack)
        _ = busy.admit("b", now: 100)
        _ = busy.admit("c", now: 100)
        #expect(busy.trackedCount <= 2)
    }

    // MARK: Signals from the bus

    @Test func readsPropertiesChanged() {
        let signal = DBusSignal(sender: ":1.2", path: "/org/mpris/MediaPlayer2", interface: "org.freedesktop.DBus.Properties",
                                member: "PropertiesChanged", arguments: [
                                    .string("org.mpris.MediaPlayer2.Player"),
                                    .dictionary(key: .string, value: .variant, [DBusDictionaryEntry(key: .string("PlaybackStatus"), value: .variant(.string("Paused")))]),
                                    .array(element: .string, [.string("Metadata")]),
                                ])
        let change = PropertiesChange(signal)
        #expect(change?.interface == "org.mpris.MediaPlayer2.Player")
        #expect(change?.changed == ["PlaybackStatus": DBusValue.string("Paused")] as [String: DBusValue])
        #expect(change?.invalidated == ["Metadata"])
        #expect(PropertiesChange(DBusSignal(sender: ":1.2", path: "/", interface: "x.Y", member: "PropertiesChanged", arguments: [.int32(1)])) == nil)
    }

    @Test func systemdUnitPathsAreEscapedAsSystemdDoes() {
        #expect(SystemdUnitPath.path(for: "nginx.service") == "/org/freedesktop/systemd1/unit/nginx_2eservice")
        #expect(SystemdUnitPath.path(for: "getty@tty1.service") == "/org/freedesktop/systemd1/unit/getty_40tty1_2eservice")
        #expect(SystemdUnitPath.path(for: "1password.service") == "/org/freedesktop/systemd1/unit/_31password_2eservice")
        #expect(SystemdUnitPath.path(for: "dev-sda1.device") == "/org/freedesktop/systemd1/unit/dev_2dsda1_2edevice")
        #expect(DBusNames.isValidObjectPath(SystemdUnitPath.path(for: "é x.service")))
    }

    // MARK: Stopping one watch

    @Test func aWatchEndsWhenToldToAndWhenItsWorkEnds() async {
        let stop = WatchStop()
        let endless = Task { await stop.run { try? await Task.sleep(for: .seconds(3600)) } }
        try? await Task.sleep(for: .milliseconds(20))
        stop.fire()
        await endless.value
        // Fired before anyone waits: run returns at once.
        await stop.run { try? await Task.sleep(for: .seconds(3600)) }
        // Work that ends by itself ends the run.
        await WatchStop().run {}
        // Cancelling the run's task ends it too.
        let cancelled = Task { await WatchStop().run { try? await Task.sleep(for: .seconds(3600)) } }
        cancelled.cancel()
        await cancelled.value
    }
}
