import Testing
@testable import TOMLConfig

@Suite struct ConfigSectionTests {
    func section(_ text: String) throws -> ConfigSection {
        ConfigSection(file: "x.toml", path: "monitor", values: try ConfigValue.parseTOML(text, file: "x.toml"))
    }

    @Test func readsNumbersAndSecondsWithTheirUnitInErrors() throws {
        var numbers = try section("a = 85\nb = 1.5\nc = \"high\"\nd = 120\ne = 0.25")
        #expect(try numbers.read("a", as: .number(0...100)) == 85)
        #expect(try numbers.read("b", as: .number(0...100)) == 1.5)
        #expect(try numbers.read("missing", as: .number(0...100)) == nil)
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "monitor.c", problem: "expected a number (percent), found a string")) {
            try numbers.read("c", as: .number(0...100, unit: "percent"))
        }
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "monitor.d", problem: "must be between 0 and 100 percent, found 120")) {
            try numbers.read("d", as: .number(0...100, unit: "percent"))
        }
        #expect(try numbers.read("e", as: .seconds(0.1...10)) == .milliseconds(250))
        #expect(throws: ConfigurationError.invalid(file: "x.toml", key: "monitor.e", problem: "must be between 1 and 10 seconds, found 0.25")) {
            var again = try section("e = 0.25")
            _ = try again.read("e", as: .seconds(1...10))
        }
    }
}
