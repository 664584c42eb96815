import Testing
@testable import DBus

@Suite struct DBusValueTextTests {
    func parse(_ text: String, _ signature: String) throws -> DBusValue {
        try DBusValueText.parse(text, as: try DBusSignature.parseSingle(signature))
    }

    @Test func parsesBasicTypesWithinTheirRanges() throws {
        #expect(try parse("255", "y") == .byte(255))
        #expect(try parse(" -32768 ", "n") == .int16(.min))
        #expect(try parse("65535", "q") == .uint16(.max))
        #expect(try parse("-2147483648", "i") == .int32(.min))
        #expect(try parse("4294967295", "u") == .uint32(.max))
        #expect(try parse("-9223372036854775808", "x") == .int64(.min))
        #expect(try parse("18446744073709551615", "t") == .uint64(.max))
        #expect(try parse("0.25", "d") == .double(0.25))
        #expect(try parse("Yes", "b") == .boolean(true))
        #expect(try parse("0", "b") == .boolean(false))
        #expect(try parse("  keeps spaces ", "s") == .string("  keeps spaces "))
        #expect(try parse("/org/mpris/MediaPlayer2", "o") == .objectPath("/org/mpris/MediaPlayer2"))
        #expect(try parse("a{sv}", "g") == .signature("a{sv}"))
    }

    @Test(arguments: [
        ("256", "y", "between 0 and 255"), ("-1", "u", "between 0 and"), ("2147483648", "i", "between"),
        ("1e3", "i", "not a whole number"), ("abc", "d", "not a number"), ("nan", "d", "not a number"), ("inf", "d", "not a number"),
        ("maybe", "b", "not true or false"), ("org/x", "o", "object path"), ("a{", "g", "signature"),
        ("99999999999999999999999", "x", "between"), ("k", "a{si}", "key=value"), ("a,1", "(sid)", "3 values"),
    ])
    func explainsBadInput(_ text: String, _ signature: String, _ fragment: String) {
        #expect {
            try parse(text, signature)
        } throws: { error in
            String(describing: error).contains(fragment)
        }
    }

    /// Found by fuzzing (fuzz/Targets/dbus-value): a variant's untyped text skipped the string
    /// checks, so a NUL passed and the value failed later, at marshalling.
    @Test func refusesNULInAVariantsText() {
        #expect(throws: DBusValueTextError.self) { try parse("a\u{0}b", "v") }
        #expect(throws: DBusValueTextError.self) { try parse("userCount=\u{0}5", "a{sv}") }
        #expect(throws: DBusValueTextError.self) { try parse("s:a\u{0}b", "v") }
    }

    @Test func parsesContainers() throws {
        #expect(try parse("a\n\nb c\n", "as") == .array(element: .string, [.string("a"), .string("b c")]))
        #expect(try parse("", "ai") == .array(element: .int32, []))
        #expect(try parse("Volume=d:0.5\nname=x=y\nflag=b:true", "a{sv}") == .dictionary(key: .string, value: .variant, [
            DBusDictionaryEntry(key: .string("Volume"), value: .variant(.double(0.5))),
            DBusDictionaryEntry(key: .string("name"), value: .variant(.string("x=y"))),
            DBusDictionaryEntry(key: .string("flag"), value: .variant(.boolean(true))),
        ]))
        #expect(try parse("hi, 3, here, with commas", "(sis)") == .structure([.string("hi"), .int32(3), .string("here, with commas")]))
        #expect(try parse("a,1\nb,2", "a(si)") == .array(element: .structure([.string, .int32]), [
            .structure([.string("a"), .int32(1)]), .structure([.string("b"), .int32(2)]),
        ]))
        #expect(try parse("u:7", "v") == .variant(.uint32(7)))
        #expect(try parse("plain text", "v") == .variant(.string("plain text")))
    }

    @Test func displaysAndRoundTrips() throws {
        for (text, signature) in [("42", "i"), ("a\nb", "as"), ("k=v\nx=y", "a{ss}"), ("s, 1, 2.5", "(sid)"), ("true", "b"), ("0.5", "d")] {
            #expect(DBusValueText.display(try parse(text, signature)) == text)
        }
        #expect(!DBusValueText.isEditable(.array(.array(.int32))))
        #expect(!DBusValueText.isEditable(.unixFD))
        #expect(DBusValueText.isEditable(.dictionary(key: .string, value: .variant)))
        #expect(DBusValueRange(.int32) == DBusValueRange(datatype: "xs:int", minimum: "-2147483648", maximum: "2147483647"))
    }
}
