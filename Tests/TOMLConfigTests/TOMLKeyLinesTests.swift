import Testing
@testable import TOMLConfig

@Suite struct TOMLKeyLinesTests {
    static let text = """
    # adhocd
    top = 1

    [account]
    jid = "bot@example.org"
    password_file = "/etc/adhocd/password"

    [commands.status]
    allow = ["self"]

    [[dbus]]
    preset = "mpris"

    [[dbus]]
    preset = "systemd"
    units = ["nginx.service"]
    inline = { a = 1, b = 2 }
    """

    @Test func namesKeysAsConfigurationErrorsDo() {
        let lines = TOMLParser.keyLines(in: Self.text)
        #expect(lines.line(for: "top") == 2)
        #expect(lines.line(for: "account") == 4)
        #expect(lines.line(for: "account.jid") == 5)
        #expect(lines.line(for: "account.password_file") == 6)
        #expect(lines.line(for: "commands.status") == 8)
        #expect(lines.line(for: "commands.status.allow") == 9)
        // Elements of an array of tables are numbered from 1, like ConfigSection paths.
        #expect(lines.line(for: "dbus") == 11)
        #expect(lines.line(for: "dbus[1]") == 11)
        #expect(lines.line(for: "dbus[1].preset") == 12)
        #expect(lines.line(for: "dbus[2]") == 14)
        #expect(lines.line(for: "dbus[2].units") == 16)
        #expect(lines.line(for: "dbus[2].inline") == 17)
    }

    @Test func fallsBackToTheNearestTable() {
        let lines = TOMLParser.keyLines(in: Self.text)
        // Missing keys ("is required") are reported at their table's header.
        #expect(lines.line(for: "account.password") == 4)
        #expect(lines.line(for: "commands.status.deny") == 8)
        #expect(lines.line(for: "dbus[2].inline.c") == 17)
        #expect(lines.line(for: "dbus[3].service") == 11)
        #expect(lines.line(for: "presence.show") == nil)
    }

    @Test func countsCRLFAndMultilineStrings() {
        let lines = TOMLParser.keyLines(in: "a = \"\"\"\none\ntwo\n\"\"\"\r\nb = 2\r\n[t]\r\nc = 3\r\n")
        #expect(lines.line(for: "a") == 1)
        #expect(lines.line(for: "b") == 5)
        #expect(lines.line(for: "t.c") == 7)
    }

    @Test func listsTheKeysOfATable() {
        let lines = TOMLParser.keyLines(in: Self.text)
        #expect(lines.keys(in: "account") == ["jid", "password_file"])
        #expect(lines.keys(in: "dbus[2]") == ["inline", "preset", "units"])
        #expect(lines.keys(in: "") == ["account", "commands", "dbus", "top"])
        #expect(lines.keys(in: "presence").isEmpty)
    }

    @Test func isEmptyForInvalidTOML() {
        #expect(TOMLParser.keyLines(in: "a = \n") == TOMLKeyLines())
    }

    @Test func unknownKeysSuggestTheKnownOne() throws {
        var section = ConfigSection(file: "adhocd.toml", path: "account", values: ["jdi": .string("x"), "resource": .string("r")])
        _ = try section.read("jid", as: .string)
        _ = try section.read("resource", as: .string)
        _ = try section.read("password_file", as: .string)
        #expect(throws: ConfigurationError.invalid(file: "adhocd.toml", key: "account.jdi", problem: "unknown key (did you mean 'jid'?)")) {
            try section.rejectUnknownKeys()
        }
        var unrelated = ConfigSection(file: "adhocd.toml", path: "", values: ["colour": .string("x")])
        _ = try unrelated.read("account", as: .table(nil))
        #expect(throws: ConfigurationError.invalid(file: "adhocd.toml", key: "colour", problem: "unknown key")) {
            try unrelated.rejectUnknownKeys()
        }
    }

    @Test func typosAreAFewEditsAway() {
        #expect(isLikelyTypo("pasword_file", of: "password_file"))
        #expect(isLikelyTypo("jdi", of: "jid"))
        #expect(!isLikelyTypo("jid", of: "jid"))
        #expect(!isLikelyTypo("host", of: "port"))
    }

    @Test func theClosestCandidateIsSuggestedWhenNearEnough() {
        #expect(closestMatch(to: "mpris/remot", among: ["status", "mpris/remote", "mpris/remote-2"]) == "mpris/remote")
        #expect(closestMatch(to: "statu", among: ["status", "statue"]) == "status")
        #expect(closestMatch(to: "backup", among: ["status", "reload"]) == nil)
        #expect(closestMatch(to: "status", among: ["status"]) == nil)
    }

    @Test func editDistanceCountsEdits() {
        #expect(editDistance("jid", "jdi") == 1)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("password_file", "pasword_file") == 1)
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("same", "same") == 0)
    }
}
