import Testing
@testable import TOMLConfig

@Suite struct TOMLParserTests {
    func parse(_ text: String) throws -> [String: ConfigValue] {
        try TOMLParser.parse(text)
    }

    func expectError(_ text: String, line: Int, containing fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let value = try TOMLParser.parse(text)
            Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    @Test func readsScalars() throws {
        let document = try parse("""
        # comment
        string = "a \\"quoted\\" \\u00e9 \\U0001F600 tab\\tend" # trailing comment
        literal = 'C:\\path\\no escapes'
        integer = +1_000
        negative = -17
        hex = 0xff
        octal = 0o17
        binary = 0b101
        float = 3.5e2
        infinity = -inf
        yes = true
        no = false
        date = 2026-11-24
        datetime = 2026-11-24T10:00:00Z
        spaced = 2026-11-24 10:00:00
        time = 07:32:00
        "quoted key" = 1
        'literal key' = 2
        bare-key_1 = 3
        """)
        #expect(document["string"] == .string("a \"quoted\" é 😀 tab\tend"))
        #expect(document["literal"] == .string("C:\\path\\no escapes"))
        #expect(document["integer"] == .integer(1000))
        #expect(document["negative"] == .integer(-17))
        #expect(document["hex"] == .integer(255))
        #expect(document["octal"] == .integer(15))
        #expect(document["binary"] == .integer(5))
        #expect(document["float"] == .double(350))
        #expect(document["infinity"] == .double(-.infinity))
        #expect(document["yes"] == .bool(true))
        #expect(document["no"] == .bool(false))
        #expect(document["date"] == .other("date or time"))
        #expect(document["datetime"] == .other("date or time"))
        #expect(document["spaced"] == .other("date or time"))
        #expect(document["time"] == .other("date or time"))
        #expect(document["quoted key"] == .integer(1))
        #expect(document["literal key"] == .integer(2))
        #expect(document["bare-key_1"] == .integer(3))
    }

    @Test func readsMultilineStrings() throws {
        let document = try parse(#"""
        basic = """
        one
        two \
            joined"""
        literal = '''
        raw \n text'''
        quotes = """a "b" ""c"""""
        """#)
        #expect(document["basic"] == .string("one\ntwo joined"))
        #expect(document["literal"] == .string("raw \\n text"))
        #expect(document["quotes"] == .string("a \"b\" \"\"c\"\""))
    }

    @Test func readsArraysAndInlineTables() throws {
        let document = try parse("""
        list = [
          "a", # first
          "b",
        ]
        nested = [[1, 2], ["x"]]
        empty = []
        point = { x = 1, y = { z = "deep" } }
        none = {}
        """)
        #expect(document["list"] == .array([.string("a"), .string("b")]))
        #expect(document["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("x")])]))
        #expect(document["empty"] == .array([]))
        #expect(document["point"] == .table(["x": .integer(1), "y": .table(["z": .string("deep")])]))
        #expect(document["none"] == .table([:]))
    }

    @Test func readsTablesDottedKeysAndArraysOfTables() throws {
        let document = try parse("""
        top = 1
        [account]
        jid = "bot@example.org"
        [commands.set-presence]
        allow = ["self"]
        [commands."status"]
        enabled = false
        [a]
        b.c = 1
        b.d = 2
        [[probe]]
        name = "load"
        [[probe]]
        name = "disk"
        [probe.limits]
        warn = 80
        """)
        #expect(document["top"] == .integer(1))
        #expect(document["account"] == .table(["jid": .string("bot@example.org")]))
        #expect(document["commands"] == .table([
            "set-presence": .table(["allow": .array([.string("self")])]),
            "status": .table(["enabled": .bool(false)]),
        ]))
        #expect(document["a"] == .table(["b": .table(["c": .integer(1), "d": .integer(2)])]))
        #expect(document["probe"] == .array([
            .table(["name": .string("load")]),
            .table(["name": .string("disk"), "limits": .table(["warn": .integer(80)])]),
        ]))
    }

    @Test func acceptsWindowsLineEndings() throws {
        #expect(try parse("a = 1\r\n[b]\r\nc = \"x\"\r\n") == ["a": .integer(1), "b": .table(["c": .string("x")])])
    }

    @Test func reportsErrorsWithTheirLine() {
        expectError("a = 1\na = 2\n", line: 2, containing: "defined twice")
        expectError("[t]\nx = 1\n[t]\n", line: 3, containing: "defined twice")
        expectError("a = \"unterminated\nb = 1\n", line: 1, containing: "unterminated")
        expectError("a = hello\n", line: 1, containing: "strings need quotes")
        expectError("a = 1 b = 2\n", line: 1, containing: "end of the line")
        expectError("a = [1, 2\n", line: 2, containing: "expected ',' or ']'")
        expectError("a = { b = 1\n", line: 1, containing: "inline table")
        expectError("a = \"bad \\q escape\"\n", line: 1, containing: "invalid escape")
        expectError("a = 1\n[a]\n", line: 2, containing: "already a value")
        expectError("t = { x = 1 }\n[t]\ny = 2\n", line: 3, containing: "inline table")
        expectError("x = 012\n", line: 1, containing: "not a valid value")
        expectError("x = 1__0\n", line: 1, containing: "not a valid value")
        expectError("= 1\n", line: 1, containing: "expected a key")
        expectError("a = \"\u{01}\"\n", line: 1, containing: "control characters")
    }

    @Test func recordsTheLineOfEachKey() throws {
        let document = try TOMLParser.parseWithLines("""
        # a comment
        name = "x"
        exec = [
            "a",
        ]

        [[param]]
        var = "one"
        [[param]]
        var = "two"
        options = [{ value = "a" }]
        [env]
        PATH = "/bin"
        a.b = 1
        """)
        let lines = document.keyLines
        #expect(lines.line(for: "name") == 2)
        #expect(lines.line(for: "exec") == 3)
        #expect(lines.line(for: "param[1]") == 7)
        #expect(lines.line(for: "param[1].var") == 8)
        #expect(lines.line(for: "param[2].var") == 10)
        #expect(lines.line(for: "param[2].options") == 11)
        // Keys inside inline tables fall back to the table's own line.
        #expect(lines.line(for: "param[2].options.value") == 11)
        #expect(lines.line(for: "env.PATH") == 13)
        #expect(lines.line(for: "env.a.b") == 14)
        #expect(lines.line(for: "missing") == nil)

        var section = ConfigSection(file: "f.toml", path: "", values: document.values, keyLines: lines)
        let env = try section.read("env", as: .table(nil))
        #expect(env?.line(of: "PATH") == 13)
    }
}
