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
