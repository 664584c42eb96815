import Testing
@testable import DBus

@Suite struct DBusSignatureTests {
    @Test(arguments: ["", "y", "bnqiuxtd", "sog", "v", "as", "a{sv}", "a{sa{sv}}", "(sid)", "a(si)", "aai", "ha{oa{sa{sv}}}"])
    func parsesValidSignatures(_ signature: String) throws {
        let types = try DBusSignature.parse(signature)
        #expect(types.map(\.signature).joined() == signature)
    }

    @Test func buildsTheTypeTree() throws {
        #expect(try DBusSignature.parseSingle("a{sv}") == .dictionary(key: .string, value: .variant))
        #expect(try DBusSignature.parseSingle("a(si)") == .array(.structure([.string, .int32])))
        #expect(try DBusSignature.parse("sa{ss}") == [.string, .dictionary(key: .string, value: .string)])
    }

    @Test(arguments: [
        ("a", "needs an element type"), ("()", "empty struct"), ("(s", "unclosed"), ("s)", "without a matching"),
        ("{ss}", "outside an array"), ("a{vs}", "not a basic type"), ("a{s}", "without a value type"),
        ("a{sss}", "more than one value type"), ("z", "unknown type code"), ("a{s", "without a value type"),
    ])
    func rejectsInvalidSignatures(_ signature: String, _ fragment: String) {
        #expect {
            try DBusSignature.parse(signature)
        } throws: { error in
            String(describing: error).contains(fragment)
        }
    }

    @Test func enforcesLimits() throws {
        _ = try DBusSignature.parse(String(repeating: "a", count: 32) + "i")
        #expect(throws: DBusSignatureError.self) { try DBusSignature.parse(String(repeating: "a", count: 33) + "i") }
        _ = try DBusSignature.parse(String(repeating: "(", count: 32) + "i" + String(repeating: ")", count: 32))
        #expect(throws: DBusSignatureError.self) {
            try DBusSignature.parse(String(repeating: "(", count: 33) + "i" + String(repeating: ")", count: 33))
        }
        _ = try DBusSignature.parse(String(repeating: "s", count: 255))
        #expect(throws: DBusSignatureError.self) { try DBusSignature.parse(String(repeating: "s", count: 256)) }
        #expect(throws: DBusSignatureError.self) { try DBusSignature.parseSingle("ss") }
    }

    /// Found by fuzzing against libdbus (fuzz/Targets/dbus-signature): libdbus limits runs of
    /// array codes, structs and dict entries separately, so `a(a…)` and dict entries inside 32
    /// structs are valid; counting enclosing arrays, or dict entries as structs, refused
    /// signatures services may use.
    @Test func countsNestingAsLibdbusDoes() throws {
        let arrays = String(repeating: "a", count: 32)
        _ = try DBusSignature.parseSingle(arrays + "(" + arrays + "i)")
        _ = try DBusSignature.parseSingle(String(repeating: "a", count: 29) + "(asoaaaai)")
        let entries = String(repeating: "a{s", count: 32) + "i" + String(repeating: "}", count: 32)
        _ = try DBusSignature.parseSingle(entries)
        _ = try DBusSignature.parseSingle(String(repeating: "(", count: 32) + entries + String(repeating: ")", count: 32))
        #expect(throws: DBusSignatureError.self) {
            try DBusSignature.parseSingle(String(repeating: "a{s", count: 33) + "i" + String(repeating: "}", count: 33))
        }
        #expect(throws: DBusSignatureError.self) { try DBusSignature.parseSingle("(" + arrays + "ai)") }
    }
}
