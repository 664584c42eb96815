import Foundation
import Testing
import TOMLConfig
@testable import AdhocdKit

/// `adhocd check`: problems placed on their lines, with fixes; sources plug in.
@Suite struct ConfigurationCheckTests {
    /// Writes `text` as adhocd.toml (and a password file) in a fresh directory.
    final class ConfigFile {
        let directory: String
        let path: String

        init(_ text: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("adhocd-check-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            path = directory + "/adhocd.toml"
            let passwordFile = directory + "/password"
            try "secret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile)
            try text.replacing("PASSWORD_FILE", with: passwordFile).write(toFile: path, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    static let good = """
    [account]
    jid = "bot@example.org"
    password_file = "PASSWORD_FILE"

    [commands.status]
    allow = ["self", "group:admins"]

    [[dbus]]
    preset = "mpris"
    allow = ["group:coloc"]
    """

    @Test func aGoodFileHasNoProblems() throws {
        let file = try ConfigFile(Self.good)
        let report = ConfigurationCheck().run(file: file.path)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(!report.hasErrors)
        #expect(report.summary == "\(file.path): OK (account bot@example.org; commands: status, set-presence, reload; 1 [[dbus]] block; roster groups named: admins, coloc)")
    }

    @Test func theSummarySaysWhenNoBuiltinIsOn() throws {
        let file = try ConfigFile("""
        [account]
        jid = "bot@example.org"
        password_file = "PASSWORD_FILE"

        [commands.status]
        enabled = false

        [commands.set-presence]
        enabled = false

        [commands.reload]
        enabled = false
        """)
        #expect(ConfigurationCheck().run(file: file.path).summary == "\(file.path): OK (account bot@example.org; no built-in commands)")
    }

    @Test func aTypoIsPlacedOnItsLineWithASuggestion() throws {
        let file = try ConfigFile("""
        [account]
        jid = "bot@example.org"
        password_file = "PASSWORD_FILE"
        resorce = "phone"
        """)
        let report = ConfigurationCheck().run(file: file.path)
        #expect(report.hasErrors)
        #expect(report.problems.map(\.description) == [
            "\(file.path):4: account.resorce: unknown key (did you mean 'resource'?) — correct or remove it; adhocd.toml(5) lists the keys of [account]",
        ])
        #expect(report.summary == "\(file.path): 1 error; adhocd would not start with it")
    }

    @Test func aMissingKeyIsReportedAtItsTable() throws {
        let file = try ConfigFile("""
        # no password

        [account]
        jid = "bot@example.org"
        """)
        let problem = try #require(ConfigurationCheck().run(file: file.path).problems.first)
        #expect(problem.line == 3)
        #expect(problem.description.hasSuffix("account.password_file: is required (or account.password) — add password_file = … to [account]"))
    }

    @Test func aMissingTableIsNamed() throws {
        let file = try ConfigFile("[presence]\nshow = \"away\"\n")
        let problem = try #require(ConfigurationCheck().run(file: file.path).problems.first)
        #expect(problem.description == "\(file.path): account: the [account] table is required — add the [account] table")
    }

    @Test func aMissingKeyThatIsMisspeltPointsAtTheMisspelling() throws {
        let file = try ConfigFile("""
        [account]
        jid = "bot@example.org"
        pasword_file = "PASSWORD_FILE"
        """)
        let problem = try #require(ConfigurationCheck().run(file: file.path).problems.first)
        #expect(problem.description == "\(file.path):3: account.password_file: is required (or account.password) — rename pasword_file to password_file")
    }

    @Test func badValuesInDBusBlocksNameTheBlock() throws {
        let file = try ConfigFile(Self.good + """

        [[dbus]]
        preset = "systemd"
        units = ["nginx.service", "a/b"]
        """)
        let problem = try #require(ConfigurationCheck().run(file: file.path).problems.first)
        #expect(problem.line == 13)
        #expect(problem.problem.hasPrefix("dbus[2].units: \"a/b\" is not a unit name"))
        #expect(problem.fix == "see [[dbus]] block 2 in adhocd.toml(5)")
    }

    @Test func syntaxErrorsKeepTheParsersPosition() throws {
        let file = try ConfigFile("[account]\njid = bot@example.org\n")
        let problem = try #require(ConfigurationCheck().run(file: file.path).problems.first)
        #expect(problem.severity == .error)
        #expect(problem.line == 2)
        #expect(problem.problem.hasPrefix("TOML syntax error at column 7"))
    }

    @Test func anUnreadableFileHasNoLine() {
        let report = ConfigurationCheck().run(file: "/nonexistent/adhocd.toml")
        #expect(report.hasErrors)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.line == nil)
        #expect(report.problems.first?.description.hasPrefix("/nonexistent/adhocd.toml: cannot read the configuration") == true)
    }

    @Test func warningsDoNotFailTheCheck() throws {
        let file = try ConfigFile(Self.good + """

        [commands.reload]
        allow = ["self", "group:admins"]
        deny = ["group:admins"]

        [[dbus]]
        preset = "systemd"
        bus = "session"
        units = ["nginx.service"]
        """)
        let report = ConfigurationCheck().run(file: file.path)
        #expect(!report.hasErrors)
        #expect(report.problems.map(\.description) == [
            "\(file.path):13: warning: commands.reload: 'group:admins' is both allowed and denied, and deny wins — remove it from one of the lists",
            "\(file.path):17: warning: dbus[2]: systemd's units are on the system bus, not the session bus — leave bus out: preset \"systemd\" uses the system bus",
        ])
        #expect(report.summary.hasSuffix(", 2 warnings"))
    }

    @Test func chatAliasesToUnknownNodesAreWarningsOnTheirLines() throws {
        let file = try ConfigFile(Self.good + """

        [[dbus]]
        service = "org.example.Thing"
        methods = ["Frob*"]

        [chat.aliases]
        pause = "mpris/remote action=play-pause"
        Up = "uptme"
        uptime = "uptime"
        backup = "backup"
        frob = "dbus/org.example.Thing/org.example.Thing.Frobnicate"
        """)
        let commands = file.directory + "/commands.d"
        try FileManager.default.createDirectory(atPath: commands, withIntermediateDirectories: false)
        try "name = \"Uptime\"\nexec = [\"/usr/bin/uptime\"]\n".write(toFile: commands + "/uptime.toml", atomically: true, encoding: .utf8)
        try "name = \"Backup\"\nexec = [\"/usr/bin/true\"]\noutput = \"html\"\n".write(toFile: commands + "/backup.toml", atomically: true, encoding: .utf8)

        let report = ConfigurationCheck().run(file: file.path)
        #expect(report.problems.map(\.description) == [
            "\(file.path):17: warning: chat.aliases.up: names 'uptme', an unknown node (did you mean 'uptime'?); typing up runs nothing — write 'uptime', or remove the alias",
            "\(file.path):19: warning: chat.aliases.backup: names 'backup', which \(commands)/backup.toml would define, but adhocd skips that file for an error; typing backup runs nothing — fix the file (adhocd check lists its error), or remove the alias",
            "\(file.path):20: note: chat.aliases.frob: names 'dbus/org.example.Thing/org.example.Thing.Frobnicate', which dbus[2] makes from org.example.Thing (session bus) only while that runs: it cannot be verified offline — adhocd dbus introspect --bus session org.example.Thing lists its nodes while it runs",
            "\(commands)/backup.toml:3: output: \"html\" is not an output style; use \"text\", \"table\" or \"none\"",
        ])
        // The daemon would start and run every alias but these two: warnings, as for the other
        // mistakes that leave it running; the error is the skipped file's.
        #expect(report.warnings.count == 2 && report.notes.count == 1 && report.errors.count == 1)
        #expect(!report.preventsStart)
        #expect(report.summary.hasSuffix("1 file in \(commands) would be skipped), 1 error, 2 warnings, 1 note"))
    }

    @Test func anInlineAliasTableIsPointedAtAndChatOffIsNotJudged() throws {
        let file = try ConfigFile(Self.good + """

        [chat]
        aliases = { st = "stauts" }
        """)
        #expect(ConfigurationCheck().run(file: file.path).problems.map(\.description) == [
            "\(file.path):12: warning: chat.aliases.st: names 'stauts', an unknown node (did you mean 'status'?); typing st runs nothing — write 'status', or remove the alias",
        ])
        let off = try ConfigFile(Self.good + "\n[chat]\nenabled = false\naliases = { st = \"stauts\" }\n")
        #expect(ConfigurationCheck().run(file: off.path).problems.isEmpty)
    }

    @Test func moreSourcesPlugIn() throws {
        let file = try ConfigFile(Self.good)
        // The shape a commands.d source takes: problems in files of its own.
        let definitions = ConfigurationCheck.Source(name: "commands.d") { configuration, _ in
            [ConfigurationProblem(severity: .error, file: "/etc/adhocd/commands.d/backup.toml", line: 3, problem: "argv: is required", fix: "add argv = [\"/usr/bin/…\"]")]
        }
        let report = ConfigurationCheck(sources: ConfigurationCheck.standardSources + [definitions]).run(file: file.path)
        #expect(report.hasErrors)
        #expect(report.problems.map(\.description) == ["/etc/adhocd/commands.d/backup.toml:3: argv: is required — add argv = [\"/usr/bin/…\"]"])
    }

    @Test func tableNamesForFixes() {
        #expect(ConfigurationProblem.tableName(of: "account.jid") == "[account]")
        #expect(ConfigurationProblem.tableName(of: "commands.status.allow") == "[commands.status]")
        #expect(ConfigurationProblem.tableName(of: "dbus[12].units") == "[[dbus]] block 12")
        #expect(ConfigurationProblem.tableName(of: "colour") == "the top level")
    }
}
