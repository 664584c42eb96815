import Testing
@testable import TOMLConfig

/// Keys read through their declaration: type and range from the key, defaults, required keys,
/// and the table's vocabulary for unknown keys.
@Suite struct ConfigSchemaTests {
    enum Colour: String, CaseIterable, Sendable { case red, green, blue }
    enum Switch: String, CaseIterable, Sendable { case on, off }

    static let port = ConfigKey("port", .integer(1...65535), documented: "5222", "The port.")
    static let retries = ConfigKey("retries", .integer(0...10), default: 3, "Retries.")
    static let timeout = ConfigKey("timeout", .seconds(0.5...60), default: .seconds(10), "Seconds to wait.")
    static let ratio = ConfigKey("ratio", .number(0...100, unit: "percent"), default: 50, "Share.")
    static let name = ConfigKey.required("name", .string, "Who.")
    static let verbose = ConfigKey("verbose", .boolean, default: false, "Say more.")
    static let hosts = ConfigKey("hosts", .strings, default: ["a"], "Where.")
    static let colour = ConfigKey("colour", .choice(Colour.self), default: .red, "Which colour.")
    static let power = ConfigKey("power", .choice(Switch.self), default: .on, "On or off.")
    static let table = ConfigTable("[test]", keys: [port, retries, timeout, ratio, name, verbose, hosts, colour, power])

    func section(_ text: String, schema: ConfigTable? = table) throws -> ConfigSection {
        ConfigSection(file: "x.toml", path: "test", values: try ConfigValue.parseTOML(text, file: "x.toml"), schema: schema)
    }

    func problem(_ text: String, _ read: (inout ConfigSection) throws(ConfigurationError) -> Void) throws -> ConfigurationError? {
        var section = try section(text)
        do {
            try read(&section)
            return nil
        } catch {
            return error
        }
    }

    @Test func absentKeysReadAsTheirDefaultOrNil() throws {
        var empty = try section("")
        #expect(try empty.read(Self.port) == nil)
        #expect(try empty.read(Self.retries) == 3)
        #expect(try empty.read(Self.timeout) == .seconds(10))
        #expect(try empty.read(Self.ratio) == 50)
        #expect(try empty.read(Self.verbose) == false)
        #expect(try empty.read(Self.hosts) == ["a"])
        #expect(try empty.read(Self.colour) == .red)
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "test.name", problem: "is required")) { try empty.read(Self.name) }
    }

    @Test func writtenValuesAreDecodedWithTheDeclaredType() throws {
        var given = try section("port = 5223\nretries = 0\ntimeout = 1.25\nratio = 12.5\nname = \"n\"\nverbose = true\nhosts = []\ncolour = \"blue\"")
        #expect(try given.read(Self.port) == 5223)
        #expect(try given.read(Self.retries) == 0)
        #expect(try given.read(Self.timeout) == .milliseconds(1250))
        #expect(try given.read(Self.ratio) == 12.5)
        #expect(try given.read(Self.name) == "n")
        #expect(try given.read(Self.verbose) == true)
        #expect(try given.read(Self.hosts) == [])
        #expect(try given.read(Self.colour) == .blue)
    }

    @Test func typeErrorsNameTheKindNotTheValue() throws {
        #expect(try problem("port = \"secret\"") { (s) throws(ConfigurationError) in _ = try s.read(Self.port) }
            == .invalid(file: "x.toml", key: "test.port", problem: "expected an integer, found a string"))
        #expect(try problem("name = 3") { (s) throws(ConfigurationError) in _ = try s.read(Self.name) }
            == .invalid(file: "x.toml", key: "test.name", problem: "expected a string, found an integer"))
        #expect(try problem("verbose = \"yes\"") { (s) throws(ConfigurationError) in _ = try s.read(Self.verbose) }
            == .invalid(file: "x.toml", key: "test.verbose", problem: "expected true or false, found a string"))
        #expect(try problem("hosts = \"a\"") { (s) throws(ConfigurationError) in _ = try s.read(Self.hosts) }
            == .invalid(file: "x.toml", key: "test.hosts", problem: "expected a list of strings, found a string"))
        #expect(try problem("hosts = [\"a\", 2]") { (s) throws(ConfigurationError) in _ = try s.read(Self.hosts) }
            == .invalid(file: "x.toml", key: "test.hosts", problem: "item 2 should be a string, found an integer"))
        #expect(try problem("ratio = true") { (s) throws(ConfigurationError) in _ = try s.read(Self.ratio) }
            == .invalid(file: "x.toml", key: "test.ratio", problem: "expected a number (percent), found a boolean"))
        #expect(try problem("colour = 1") { (s) throws(ConfigurationError) in _ = try s.read(Self.colour) }
            == .invalid(file: "x.toml", key: "test.colour", problem: "expected a string, found an integer"))
    }

    @Test func rangesComeFromTheDeclaration() throws {
        #expect(try problem("port = 0") { (s) throws(ConfigurationError) in _ = try s.read(Self.port) }
            == .invalid(file: "x.toml", key: "test.port", problem: "must be between 1 and 65535, found 0"))
        #expect(try problem("retries = 11") { (s) throws(ConfigurationError) in _ = try s.read(Self.retries) }
            == .invalid(file: "x.toml", key: "test.retries", problem: "must be between 0 and 10, found 11"))
        #expect(try problem("timeout = 0.25") { (s) throws(ConfigurationError) in _ = try s.read(Self.timeout) }
            == .invalid(file: "x.toml", key: "test.timeout", problem: "must be between 0.5 and 60 seconds, found 0.25"))
        #expect(try problem("ratio = 100.5") { (s) throws(ConfigurationError) in _ = try s.read(Self.ratio) }
            == .invalid(file: "x.toml", key: "test.ratio", problem: "must be between 0 and 100 percent, found 100.5"))
        // The bounds themselves are in range.
        var edges = try section("port = 65535\ntimeout = 60\nratio = 0")
        #expect(try edges.read(Self.port) == 65535)
        #expect(try edges.read(Self.timeout) == .seconds(60))
        #expect(try edges.read(Self.ratio) == 0)
    }

    @Test func choicesListWhatIsAccepted() throws {
        #expect(try problem("colour = \"mauve\"") { (s) throws(ConfigurationError) in _ = try s.read(Self.colour) }
            == .invalid(file: "x.toml", key: "test.colour", problem: "must be one of red, green, blue, found \"mauve\""))
        #expect(try problem("power = \"dim\"") { (s) throws(ConfigurationError) in _ = try s.read(Self.power) }
            == .invalid(file: "x.toml", key: "test.power", problem: "must be \"on\" or \"off\", found \"dim\""))
        let advised = ConfigKey("power", .choice(Switch.self) { "\"\($0)\" is no switch position" }, default: .on, "")
        var section = try section("power = \"dim\"", schema: nil)
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "test.power", problem: "\"dim\" is no switch position")) {
            try section.read(advised)
        }
    }

    @Test func unknownKeysAreSuggestedFromTheDeclaredKeysEvenUnread() throws {
        var section = try section("colur = \"red\"\nname = \"n\"")
        // Only `name` is read so far: the suggestion still comes from the table's declarations.
        _ = try section.read(Self.name)
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "test.colur", problem: "unknown key (did you mean 'colour'?)")) {
            try section.rejectUnknownKeys()
        }
        let unrelated = try self.section("zebra = 1")
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "test.zebra", problem: "unknown key")) {
            try unrelated.rejectUnknownKeys()
        }
    }

    @Test func theClosestDeclaredKeyIsSuggested() {
        let table = ConfigTable("[t]", keys: [
            ConfigKey("max_running", .integer(1...2), default: 1, ""), ConfigKey("max_runs", .integer(1...2), default: 1, ""),
        ])
        #expect(table.suggestion(for: "max_run") == "max_runs")
        #expect(table.suggestion(for: "max_runnin") == "max_running")
        #expect(table.suggestion(for: "timeout") == nil)
    }

    @Test func readingAnUndeclaredKeyIsABugReportedAtOnce() throws {
        var section = try section("")
        let stray = ConfigKey("stray", .string, "Not in the table.")
        #expect(throws: ConfigurationError.self) { try section.read(stray) }
        #expect(throws: Never.self) { _ = try section.read(Self.port) }
    }

    @Test func aDeclaredKeyTheReaderNeverReadsIsABugToo() throws {
        var section = try section("name = \"n\"")
        _ = try section.read(Self.name)
        #expect {
            try section.rejectUnknownKeys()
        } throws: { error in
            guard case .invalid(_, let key, let problem) = error as? ConfigurationError else { return false }
            return key == "test.colour" && problem.contains("never reads it")
        }
        for key in [Self.port.name, Self.retries.name, Self.timeout.name, Self.ratio.name, Self.verbose.name, Self.hosts.name] {
            _ = try section.read(key, as: .value(""))
        }
        _ = try section.read(Self.colour)
        _ = try section.read(Self.power)
        #expect(throws: Never.self) { try section.rejectUnknownKeys() }
    }

    @Test func tablesOpenWithTheirOwnSchema() throws {
        let inner = ConfigTable("[outer.inner]", keys: [Self.retries])
        let outer = ConfigTable("[outer]", keys: [
            ConfigKey("inner", .table(inner), ""), ConfigKey("blocks", .tables(inner), default: [], ""),
        ])
        var section = ConfigSection(
            file: "x.toml", path: "outer",
            values: try ConfigValue.parseTOML("[inner]\nretries = 2\n[[blocks]]\nretries = 1\n[[blocks]]\nretreis = 1", file: "x.toml"),
            schema: outer)
        var opened = try #require(try section.read("inner", as: .table(inner)))
        #expect(opened.path == "outer.inner")
        #expect(try opened.read(Self.retries) == 2)
        var blocks = try #require(try section.read("blocks", as: .tables(inner)))
        #expect(blocks.map(\.path) == ["outer.blocks[1]", "outer.blocks[2]"])
        _ = try blocks[1].read(Self.retries)
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "outer.blocks[2].retreis", problem: "unknown key (did you mean 'retries'?)")) {
            try blocks[1].rejectUnknownKeys()
        }
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "outer.inner", problem: "expected a table ([outer.inner]), found an integer")) {
            var wrong = ConfigSection(file: "x.toml", path: "outer", values: ["inner": .integer(1)], schema: outer)
            _ = try wrong.read("inner", as: .table(inner))
        }
    }

    @Test func theReferenceRowsComeFromTheDeclarations() {
        let rows = Self.table.rows
        #expect(rows.map(\.names) == [["port"], ["retries"], ["timeout"], ["ratio"], ["name"], ["verbose"], ["hosts"], ["colour"], ["power"]])
        #expect(rows[0] == KeyRow(names: ["port"], type: "integer, 1 … 65535", defaultText: "5222", summary: "The port."))
        #expect(rows[2].type == "seconds, 0.5 … 60" && rows[2].defaultText == "10")
        #expect(rows[3].type == "number (percent), 0 … 100" && rows[3].defaultText == "50")
        #expect(rows[4].defaultText == "required")
        #expect(rows[5].type == "boolean" && rows[5].defaultText == "`false`")
        #expect(rows[6].type == "list of strings" && rows[6].defaultText == "`[\"a\"]`")
        #expect(rows[7].type == "one of `red`, `green`, `blue`" && rows[7].defaultText == "`\"red\"`")
        let pair = KeyRow(together: [Self.retries, ConfigKey("tries", .integer(0...10), default: 5, "")], "Both.")
        #expect(pair == KeyRow(names: ["retries", "tries"], type: "integer, 0 … 10", defaultText: "3, 5", summary: "Both."))
        #expect(ConfigKey("s", .seconds(0...10), default: .milliseconds(100), "").defaultText == "0.1")
    }
}
