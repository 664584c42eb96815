import Commands
import DBus
import Foundation
import TOMLConfig
import Testing
import XMPPCore
@testable import DBusBridge

@Suite struct CommandBuilderTests {
    static func mprisNode() throws -> IntrospectedNode {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DBusTests/Samples/mpv-mpris.xml")
        return try IntrospectionParser.parse(try String(contentsOf: url, encoding: .utf8))
    }

    func block(_ toml: String) throws -> DBusBlock {
        var section = ConfigSection(file: "test.toml", path: "dbus[1]", values: try ConfigValue.parseTOML(toml, file: "test.toml"))
        let block = try DBusBlock.read(&section)
        try section.rejectUnknownKeys()
        return block
    }

    @Test func exposesOnlyWhatTheBlockNames() throws {
        let block = try block("""
        label = "Media player"
        service = "org.mpris.MediaPlayer2.*"
        paths = ["/org/mpris/MediaPlayer2"]
        interfaces = ["org.mpris.MediaPlayer2.Player"]
        methods = ["PlayPause", "Seek", "Set*"]
        properties = ["Volume", "PlaybackStatus", "Metadata"]
        allow = ["group:coloc", "self"]
        """)
        let builder = CommandBuilder(block: block, handle: BusHandle(bus: .session))
        let commands = builder.commands(for: "org.mpris.MediaPlayer2.mpv", objects: [("/org/mpris/MediaPlayer2", try Self.mprisNode())])
        let base = "dbus/org.mpris.MediaPlayer2.mpv/org/mpris/MediaPlayer2/org.mpris.MediaPlayer2.Player"
        #expect(commands.map(\.node) == [
            "\(base).PlayPause", "\(base).Seek", "\(base).SetPosition", "\(base)/properties", "\(base).Volume/set",
        ])
        #expect(commands[0].name == "Media player (mpv): PlayPause")
        #expect(commands.allSatisfy { $0.policy.groupNames == ["coloc"] })
    }

    @Test func typesFormFieldsFromSignatures() async throws {
        let block = try block("service = \"org.mpris.MediaPlayer2.mpv\"\nmethods = [\"Seek\"]")
        let builder = CommandBuilder(block: block, handle: BusHandle(bus: .session))
        let commands = builder.commands(for: "org.mpris.MediaPlayer2.mpv", objects: [("/org/mpris/MediaPlayer2", try Self.mprisNode())])
        let seek = try #require(commands.first)
        guard case .ask(let stage) = try await seek.start(CommandContext(requester: try JID("a@b/c"), node: seek.node, sessionID: "1")) else {
            Issue.record("expected a form")
            return
        }
        let field = try #require(stage.form.fields.first)
        #expect(field.variable == "arg0" && field.label == "Offset" && field.isRequired)
        #expect(field.validation == FieldValidation(datatype: .long, method: .range(min: String(Int64.min), max: String(Int64.max))))
        // Without a connection, submitting explains rather than crashing.
        let outcome = try await seek.submit(stage: stage.id, values: SubmittedValues(["arg0": ["5000000"]]), action: .complete,
                                            context: CommandContext(requester: try JID("a@b/c"), node: seek.node, sessionID: "1"))
        guard case .complete(.failure(let text)) = outcome else { Issue.record("\(outcome)"); return }
        #expect(text.contains("D-Bus connection is closed"))
    }

    @Test func fieldsForEachKindOfSignature() {
        #expect(ArgumentForm.field(variable: "a", label: "A", type: .boolean).type == .boolean)
        #expect(ArgumentForm.field(variable: "a", label: "A", type: .array(.string)).type == .textMulti)
        #expect(ArgumentForm.field(variable: "a", label: "A", type: .dictionary(key: .string, value: .variant)).description?.contains("key=value") == true)
        #expect(ArgumentForm.field(variable: "a", label: "A", type: .variant).description?.contains("i:42") == true)
        #expect(ArgumentForm.field(variable: "a", label: "A", type: .byte).validation?.method == .range(min: "0", max: "255"))
        let filled = ArgumentForm.field(variable: "v", label: "Volume", type: .double, current: .double(0.5))
        #expect(filled.values == ["0.5"])
    }

    @Test func resultsBecomeFieldsOrTables() {
        let table = ArgumentForm.result(title: "T", labels: ["pairs"], values: [
            .array(element: .structure([.string, .int32]), [.structure([.string("a"), .int32(1)]), .structure([.string("b"), .int32(2)])]),
        ])
        #expect(table.reported?.count == 2 && table.items.count == 2)
        #expect(table.items[1][0].values == ["b"])
        let map = ArgumentForm.result(title: "T", labels: [], values: [.dictionary(key: .string, value: .string, [DBusDictionaryEntry(key: .string("k"), value: .string("v"))])])
        #expect(map.reported?.map(\.variable) == ["key", "value"])
        let fields = ArgumentForm.result(title: "T", labels: ["greeting", "doubled"], values: [.string("hi"), .int32(4)])
        #expect(fields.fields.map(\.label) == ["greeting", "doubled"] && fields.fields[1].values == ["4"])
    }

    @Test func refusesBlocksThatExposeNothingOrAreWrong() throws {
        #expect(throws: ConfigurationError.self) { try block("service = \"org.x.Y\"") }
        #expect(throws: ConfigurationError.self) { try block("methods = [\"*\"]") }
        #expect(throws: ConfigurationError.self) { try block("service = \"org.x.Y\"\nmethods = [\"*\"]\npaths = [\"not/a/path\"]") }
        #expect(throws: ConfigurationError.self) { try block("service = \"org.x.Y\"\nmethods = [\"*\"]\nbus = \"sessoin\"") }
        #expect(throws: ConfigurationError.self) { try block("preset = \"systemd\"") }
        #expect(throws: ConfigurationError.self) { try block("service = \"org.x.Y\"\nmethods = [\"*\"]\nallow = [\"group:\"]") }
        let systemd = try block("preset = \"systemd\"\nunits = [\"nginx.service\"]")
        #expect(systemd.bus == .system && systemd.service.pattern == "org.freedesktop.systemd1")
        let mpris = try block("preset = \"mpris\"\nsession_timeout = 7200")
        #expect(mpris.bus == .session && mpris.sessionTimeout == .seconds(7200) && mpris.label == "Media remote")
    }

    @Test func readsMediaPlayerState() {
        let state = MediaPlayerState(properties: [
            "PlaybackStatus": .string("Playing"), "Volume": .double(0.5), "Position": .int64(65_000_000),
            "Metadata": .dictionary(key: .string, value: .variant, [
                DBusDictionaryEntry(key: .string("xesam:title"), value: .variant(.string("Song"))),
                DBusDictionaryEntry(key: .string("xesam:artist"), value: .variant(.array(element: .string, [.string("Band")]))),
                DBusDictionaryEntry(key: .string("mpris:length"), value: .variant(.int64(3_725_000_000))),
            ]),
        ])
        #expect(state.summary == "Playing: Song — Band")
        #expect(state.volumeText == "50 %")
        #expect(state.positionText == "1:05 / 1:02:05")
    }
}
