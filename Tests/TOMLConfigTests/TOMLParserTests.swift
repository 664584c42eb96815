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
        #expect(document["date"] == .dateTime(TOMLDateTime(date: .init(year: 2026, month: 11, day: 24))))
        #expect(document["datetime"] == .dateTime(TOMLDateTime(
            date: .init(year: 2026, month: 11, day: 24), time: .init(hour: 10, minute: 0, second: 0, nanosecond: 0), offsetMinutes: 0)))
        #expect(document["spaced"] == .dateTime(TOMLDateTime(
            date: .init(year: 2026, month: 11, day: 24), time: .init(hour: 10, minute: 0, second: 0, nanosecond: 0))))
        #expect(document["time"] == .dateTime(TOMLDateTime(time: .init(hour: 7, minute: 32, second: 0, nanosecond: 0))))
        #expect(document["quoted key"] == .integer(1))
        #expect(document["literal key"] == .integer(2))
        #expect(document["bare-key_1"] == .integer(3))
    }

    @Test func readsDatesAndTimesOfEveryKind() throws {
        let document = try parse("""
        offset = 1979-05-27T00:32:00.999999-07:00
        lower = 1979-05-27t07:32:00z
        local = 1979-05-27T07:32:00.123456789123
        leap = 2000-02-29
        time = 23:59:59.5
        list = [1979-05-27, 07:32:00]
        """)
        func text(_ key: String) -> String? {
            if case .dateTime(let value)? = document[key] { value.description } else { nil }
        }
        #expect(text("offset") == "1979-05-27T00:32:00.999999-07:00")
        #expect(text("lower") == "1979-05-27T07:32:00Z")
        // Digits beyond the nanosecond are dropped, as TOML allows.
        #expect(text("local") == "1979-05-27T07:32:00.123456789")
        #expect(text("leap") == "2000-02-29")
        #expect(text("time") == "23:59:59.5")
        if case .dateTime(let offset)? = document["offset"] {
            #expect(offset.offsetMinutes == -420)
            #expect(offset.kindName == "date-time")
        }
        #expect(ConfigValue.dateTime(TOMLDateTime(date: .init(year: 1, month: 1, day: 1))).kindName == "a date")
        #expect(document["list"] == .array([
            .dateTime(TOMLDateTime(date: .init(year: 1979, month: 5, day: 27))),
            .dateTime(TOMLDateTime(time: .init(hour: 7, minute: 32, second: 0, nanosecond: 0))),
        ]))
    }

    /// Found by the differential test against tomllib: impossible dates and times read as
    /// values, and malformed ones were taken whole as an opaque "date or time".
    @Test func refusesImpossibleOrMalformedDatesAndTimes() {
        expectError("a = 2021-02-29\n", line: 1, containing: "no day 29")
        expectError("a = 1979-04-31T00:00:00Z\n", line: 1, containing: "no day 31")
        expectError("\na = 1979-13-01\n", line: 2, containing: "no month 13")
        expectError("a = 0000-01-01\n", line: 1, containing: "0001")
        expectError("a = 24:00:00\n", line: 1, containing: "not a valid time")
        expectError("a = 1979-05-27T07:60:00\n", line: 1, containing: "not a valid time")
        expectError("a = 1979-05-27T07:32:60\n", line: 1, containing: "not a valid time")
        expectError("a = 1979-05-27T07:32:00+24:00\n", line: 1, containing: "offset")
        // Malformed: the whole word is refused.
        expectError("a = 1979-05-27T07:32\n", line: 1, containing: "'1979-05-27T07:32' is not a valid value")
        expectError("a = 1979-05-27T07:32:00.\n", line: 1, containing: "not a valid value")
        expectError("a = 1979-05-27T07:32:00+05\n", line: 1, containing: "not a valid value")
        expectError("a = 1979-05-27X07:32:00\n", line: 1, containing: "not a valid value")
        expectError("a = 1979-05-27 07:32\n", line: 1, containing: "end of the line")
        expectError("a = 1979-5-27\n", line: 1, containing: "not a valid value")
        expectError("a = 7:32:00\n", line: 1, containing: "not a valid value")
    }

    @Test func readsNumbersInEveryForm() throws {
        let document = try parse("""
        hex = 0xDEAD_beef
        octal = 0o7_7
        binary = 0b1_0
        smallest = -9223372036854775808
        largest = 0x7fffffffffffffff
        zero = -0
        exponent = 1e05
        both = -6.02_2e+2_3
        huge = 1e309
        negativeZero = -0.0
        plain = 0e0
        signs = [+inf, -nan, +0.5]
        """)
        #expect(document["hex"] == .integer(0xDEAD_BEEF))
        #expect(document["octal"] == .integer(0o77))
        #expect(document["binary"] == .integer(2))
        #expect(document["smallest"] == .integer(.min))
        #expect(document["largest"] == .integer(.max))
        #expect(document["zero"] == .integer(0))
        #expect(document["exponent"] == .double(1e5))
        #expect(document["both"] == .double(-6.022e23))
        #expect(document["huge"] == .double(.infinity))
        guard case .double(let negativeZero)? = document["negativeZero"] else { Issue.record("no -0.0"); return }
        #expect(negativeZero.sign == .minus)
        #expect(document["plain"] == .double(0))
    }

    /// Found by the differential test against tomllib: words made of number characters were
    /// taken if Swift's own parsers took them (leading zeros, stray underscores, a fraction
    /// without digits before it, a sign inside a hexadecimal number).
    @Test(arguments: ["01", "+01", "-01", "01.5", "1_", "_1", "1__0", "1_e5", "1e_5", "1e5_", "1_.5", "1._5", "+.5", "-.5", ".5",
                      "1.", "1.e5", "0x", "0x_1", "0x1_", "0x-1", "0X1", "+0x1", "0b2", "0o8", "1e", "1e+", "Inf", "NaN", "infinity", "1.5.5"])
    func refusesMalformedNumbers(text: String) {
        expectError("a = \(text)\n", line: 1, containing: "not a valid value")
        expectError("a = [\(text)]\n", line: 1, containing: "not a valid value")
    }

    @Test func refusesIntegersBeyond64Bits() {
        expectError("a = 9223372036854775808\n", line: 1, containing: "does not fit in 64 bits")
        expectError("a = -9223372036854775809\n", line: 1, containing: "does not fit in 64 bits")
        expectError("\na = 0x8000000000000000\n", line: 2, containing: "does not fit in 64 bits")
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

    /// Found by the differential test against tomllib: control characters passed in comments
    /// and literal strings, a lone carriage return passed as a line end, and CRLF stayed in
    /// multi-line strings where tomllib reads LF.
    @Test func refusesControlCharactersAndLoneCarriageReturns() throws {
        expectError("a = 1 # bell \u{07}\n", line: 1, containing: "control character U+0007 is not allowed in comments")
        expectError("# \u{7F}\n", line: 1, containing: "U+007F")
        expectError("a = 'x\u{00}y'\n", line: 1, containing: "not allowed in strings")
        expectError("a = '''\nx\u{1F}'''\n", line: 2, containing: "not allowed in strings")
        expectError("a = \"x\ry\"\n", line: 1, containing: "carriage return")
        expectError("a = \"\"\"x\ry\"\"\"\n", line: 1, containing: "carriage return")
        expectError("a = 1 # note\r\n# CR alone\rb = 2\n", line: 2, containing: "carriage return")
        expectError("a = 1\rb = 2\n", line: 1, containing: "end of the line")
        expectError("a = \"\\u+123\"\n", line: 1, containing: "invalid \\u escape")
        // Tabs are fine everywhere.
        #expect(try parse("a = '\tx'\t# \ttab\n") == ["a": .string("\tx")])
    }

    @Test func readsLineEndsInMultilineStringsAsLineFeeds() throws {
        let document = try parse("a = \"\"\"\r\none\r\ntwo \\\r\n  three\"\"\"\r\nb = '''\r\nx\r\ny'''\r\n")
        #expect(document["a"] == .string("one\ntwo three"))
        #expect(document["b"] == .string("x\ny"))
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

    /// Found by the differential test against tomllib: arrays written as values could be
    /// extended by `[[…]]`, inline tables and tables defined by dotted keys reopened by headers,
    /// and headers' tables extended by dotted keys from another section.
    @Test func keepsTablesClosedAsTOMLDefinesThem() {
        expectError("a = []\n[[a]]\n", line: 2, containing: "complete as written")
        expectError("a = [{ b = 1 }]\n[a.c]\n", line: 2, containing: "complete as written")
        expectError("t = { x = 1 }\n[t]\ny = 2\n", line: 2, containing: "written inline")
        expectError("t = { x = { y = 1 } }\n[t.x.z]\n", line: 2, containing: "written inline")
        expectError("a = { b = [1] }\na.b.c = 2\n", line: 2, containing: "cannot add keys")
        expectError("[fruit]\napple.color = \"red\"\n[fruit.apple]\n", line: 3, containing: "defined twice")
        expectError("[fruit.apple]\n[fruit]\napple.color = \"red\"\n", line: 3, containing: "[fruit.apple] is a table of its own")
        expectError("a.b = 1\n[a]\n", line: 2, containing: "defined twice")
        expectError("[[a]]\n[a]\n", line: 2, containing: "defined twice")
        expectError("[a]\n[[a]]\n", line: 2, containing: "conflicts with the earlier a table")
        expectError("x = { a = 1, a = 2 }\n", line: 1, containing: "defined twice")
        expectError("x = { a = {}, a.b = 2 }\n", line: 1, containing: "cannot add keys")
    }

    @Test func acceptsWhatTOMLAllowsAroundTables() throws {
        let document = try parse("""
        a.b.c = 1
        [a.b.d]
        e = 2
        [x.y]
        [x]
        z = 3
        [[list]]
        [list.sub]
        n = 1
        [[list]]
        [list.sub]
        n = 2
        """)
        #expect(document["a"] == .table(["b": .table(["c": .integer(1), "d": .table(["e": .integer(2)])])]))
        #expect(document["x"] == .table(["y": .table([:]), "z": .integer(3)]))
        #expect(document["list"] == .array([.table(["sub": .table(["n": .integer(1)])]), .table(["sub": .table(["n": .integer(2)])])]))
    }

    /// toml-test recommends a limit, as deep nesting only exhausts the stack.
    @Test func limitsNesting() throws {
        let deepest = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(try parse("a = \(deepest)\n")["a"] != nil)
        expectError("a = [\(deepest)]\n", line: 1, containing: "nested deeper than 128")
        expectError("b = " + String(repeating: "{a = ", count: 129) + "1" + String(repeating: "}", count: 129) + "\n", line: 1, containing: "nested deeper than 128")
        let longKey = Array(repeating: "k", count: 129).joined(separator: ".")
        expectError("\(longKey) = 1\n", line: 1, containing: "nested deeper than 128 tables")
        expectError("[\(longKey)]\n", line: 1, containing: "nested deeper than 128 tables")
        expectError("[t]\n" + Array(repeating: "k", count: 128).joined(separator: ".") + " = 1\n", line: 2, containing: "nested deeper")
    }

    /// Found by the differential test against tomllib: a file in another encoding was read with
    /// replacement characters; TOML files are UTF-8.
    @Test func refusesBytesThatAreNotUTF8() throws {
        let latin1: [UInt8] = Array("name = \"ok\"\nlabel = \"caf".utf8) + [0xE9] + Array("\"\n".utf8)
        #expect(throws: TOMLParser.Error(line: 2, column: 13, message: "byte 0xE9 is not valid UTF-8: TOML files are UTF-8, save the file as UTF-8")) {
            try TOMLParser.parseWithLines(utf8: latin1)
        }
        // An encoded surrogate and an overlong form are not UTF-8 either.
        #expect(throws: TOMLParser.Error.self) { try TOMLParser.parseWithLines(utf8: Array("a = \"".utf8) + [0xED, 0xA0, 0x80, 0x22]) }
        #expect(throws: TOMLParser.Error.self) { try TOMLParser.parseWithLines(utf8: Array("a = \"".utf8) + [0xC0, 0xAF, 0x22]) }
        #expect(try TOMLParser.parseWithLines(utf8: Array("a = \"café 😀\"".utf8)).values == ["a": .string("café 😀")])
        #expect(throws: ConfigurationError.syntax(file: "f.toml", line: 2, column: 13, message: "byte 0xE9 is not valid UTF-8: TOML files are UTF-8, save the file as UTF-8")) {
            try ConfigValue.tomlText(utf8: latin1, file: "f.toml")
        }
    }

    /// toml-test counts a leading byte order mark valid (tomllib refuses it); editors on some
    /// systems write one.
    @Test func skipsAByteOrderMark() throws {
        #expect(try parse("\u{FEFF}a = 1\n") == ["a": .integer(1)])
        #expect(try TOMLParser.parseWithLines(utf8: [0xEF, 0xBB, 0xBF] + Array("a = 1\n".utf8)).values == ["a": .integer(1)])
        expectError("a = 1\n\u{FEFF}b = 2\n", line: 2, containing: "expected a key")
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
        expectError("x = 012\n", line: 1, containing: "not a valid value")
        expectError("x = 1__0\n", line: 1, containing: "not a valid value")
        expectError("= 1\n", line: 1, containing: "expected a key")
        expectError("a = \"\u{01}\"\n", line: 1, containing: "control character U+0001 is not allowed in strings")
    }

    /// Nested arrays of tables are counted within their parent element, as ConfigSection
    /// names them (`a[2].b[1]`); the count used to run on across parents.
    @Test func namesNestedArraysOfTablesPerParent() throws {
        let lines = try TOMLParser.parseWithLines("[[a]]\n[[a.b]]\nx = 1\n[[a]]\n[[a.b]]\ny = 2\n").keyLines
        #expect(lines.line(for: "a[1].b[1].x") == 3)
        #expect(lines.line(for: "a[2].b[1].y") == 6)
        #expect(lines.line(for: "a[2].b[1]") == 5)
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
