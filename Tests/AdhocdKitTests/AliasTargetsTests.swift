import Chat
import CommandFiles
import DBusBridge
import Testing
@testable import AdhocdKit

/// Whether a chat alias's node exists, judged offline, and what check and the daemon say.
@Suite struct AliasTargetsTests {
    static let configuration = """
    [account]
    jid = "bot@example.org"
    password = "secret"

    [commands.reload]
    enabled = false

    [[dbus]]
    preset = "mpris"

    [[dbus]]
    preset = "systemd"
    units = ["nginx.service"]

    [[dbus]]
    service = "org.example.Thing"
    methods = ["Frob*"]

    [commands_d]
    directory = "/etc/adhocd/commands.d"
    """

    /// commands.d with one file skipped for an error, and a problem with the directory itself.
    static var commandFiles: LoadReport {
        var report = LoadReport(directory: "/etc/adhocd/commands.d")
        report.problems = [
            DefinitionError(file: "/etc/adhocd/commands.d/backup.toml", line: 3, key: "output", problem: "must be text or table"),
            DefinitionError(file: "/etc/adhocd/commands.d", problem: "cannot list the directory"),
        ]
        return report
    }

    func targets() throws -> AliasTargets {
        AliasTargets(configuration: try DaemonConfiguration.parse(Self.configuration, file: "adhocd.toml"), commandFiles: Self.commandFiles)
    }

    @Test func offeredNodesAreFine() throws {
        let targets = try targets()
        for node in ["status", "set-presence", "mpris/remote", "systemd/nginx.service/restart"] {
            #expect(targets.verdict(for: node) == .offered, "\(node)")
        }
    }

    @Test func aMissingNodeSaysWhyWhenItCan() throws {
        let targets = try targets()
        #expect(targets.verdict(for: "reload") == .missing(.disabledBuiltin))
        #expect(targets.verdict(for: "echo") == .missing(.disabledBuiltin), "off unless enabled")
        #expect(targets.verdict(for: "backup") == .missing(.skippedFile("/etc/adhocd/commands.d/backup.toml")))
        #expect(targets.verdict(for: "commands") == .missing(.unknown(suggestion: nil)), "the directory's own problem defines nothing")
        #expect(targets.verdict(for: "frobnicate") == .missing(.unknown(suggestion: nil)))
    }

    @Test func aNearMissIsSuggested() throws {
        let targets = try targets()
        #expect(targets.verdict(for: "mpris/remot") == .missing(.unknown(suggestion: "mpris/remote")))
        #expect(targets.verdict(for: "Status") == .missing(.unknown(suggestion: "status")))
        #expect(targets.verdict(for: "systemd/nginx.service/restrat") == .missing(.unknown(suggestion: "systemd/nginx.service/restart")))
        // The last part of exactly one node.
        #expect(targets.verdict(for: "remote") == .missing(.unknown(suggestion: "mpris/remote")))
        #expect(targets.verdict(for: "restart") == .missing(.unknown(suggestion: "systemd/nginx.service/restart")))
    }

    @Test func introspectedNodesAreLiveWhenABlockMayMakeThem() throws {
        let targets = try targets()
        let frobnicate = "dbus/org.example.Thing/org.example.Thing.Frobnicate"
        #expect(targets.verdict(for: frobnicate) == .live(blockIndex: 2, node: try #require(DBusCommandNode(parsing: frobnicate))))
        #expect(targets.verdict(for: "dbus/org.example.Thing/org.example.Thing.Reset") == .missing(.notExposed(blockIndices: [2])))
        #expect(targets.verdict(for: "dbus/org.example.Thimg/org.example.Thing.Frob")
            == .missing(.unconfiguredService("org.example.Thimg", suggestion: "org.example.Thing")))
        #expect(targets.verdict(for: "dbus/org.other.Service/org.other.Service.Frob") == .missing(.unconfiguredService("org.other.Service", suggestion: nil)))
        // The presets make no introspected nodes.
        #expect(targets.verdict(for: "dbus/org.mpris.MediaPlayer2.mpv/org.mpris.MediaPlayer2.Player.Play")
            == .missing(.unconfiguredService("org.mpris.MediaPlayer2.mpv", suggestion: nil)))
    }

    @Test func findingsNameTheNodeAndTheFix() throws {
        let targets = try targets()
        func finding(_ name: String, _ target: String) throws -> AliasFinding? {
            targets.finding(for: try ChatAlias(name: name, target: target))
        }
        #expect(try finding("pause", "mpris/remote action=play-pause") == nil)
        #expect(try finding("Pause", "mpris/remot action=play-pause") == AliasFinding(
            severity: .warning, problem: "names 'mpris/remot', an unknown node (did you mean 'mpris/remote'?); typing pause runs nothing",
            fix: "write 'mpris/remote', or remove the alias"))
        #expect(try finding("frob", "frobnicate") == AliasFinding(
            severity: .warning, problem: "names 'frobnicate', an unknown node; typing frob runs nothing",
            fix: "correct the node or remove the alias; adhocd commands lists the nodes"))
        #expect(try finding("again", "reload") == AliasFinding(
            severity: .warning, problem: "names 'reload', a built-in command that is disabled; typing again runs nothing",
            fix: "enable it ([commands.reload] enabled = true), or remove the alias"))
        #expect(try finding("save", "backup") == AliasFinding(
            severity: .warning,
            problem: "names 'backup', which /etc/adhocd/commands.d/backup.toml would define, but adhocd skips that file for an error; typing save runs nothing",
            fix: "fix the file (adhocd check lists its error), or remove the alias"))
        #expect(try finding("reset", "dbus/org.example.Thing/org.example.Thing.Reset")?.problem
            == "names 'dbus/org.example.Thing/org.example.Thing.Reset', which dbus[3] does not offer: its paths, interfaces, methods or properties leave it out; typing reset runs nothing")
        #expect(try finding("frob", "dbus/org.other.Service/org.other.Service.Frob")?.fix
            == "add a [[dbus]] block with service = \"org.other.Service\" and the methods or properties to offer, or correct the node")
        #expect(try finding("frob", "dbus/org.example.Thing/org.example.Thing.Frob value=2") == AliasFinding(
            severity: .note,
            problem: "names 'dbus/org.example.Thing/org.example.Thing.Frob', which dbus[3] makes from org.example.Thing (session bus) only while that runs: it cannot be verified offline",
            fix: "adhocd dbus introspect --bus session org.example.Thing lists its nodes while it runs"))
    }

    @Test func aliasesAreNotJudgedWhileChatIsOff() throws {
        let text = Self.configuration + "\n[chat]\nenabled = false\naliases = { x = \"nowhere\" }\n"
        #expect(AliasTargets.findings(try DaemonConfiguration.parse(text, file: "adhocd.toml"), commandFiles: Self.commandFiles).isEmpty)
        let on = text.replacing("enabled = false", with: "enabled = true")
        let findings = AliasTargets.findings(try DaemonConfiguration.parse(on, file: "adhocd.toml"), commandFiles: Self.commandFiles)
        #expect(findings.map(\.alias.name) == ["x"])
    }
}
