import CDBus
import Testing
@testable import DBus

/// Values written into a real libdbus message and read back, without a bus.
@Suite struct MarshallingTests {
    func roundTrip(_ values: [DBusValue]) throws -> [DBusValue] {
        let message = try #require(dbus_message_new_method_call("org.example.Service", "/org/example", "org.example.Iface", "Method"))
        defer { dbus_message_unref(message) }
        try MessageEncoder.append(values, to: message)
        #expect(MessageDecoder.signature(of: message) == values.map(\.type.signature).joined())
        return try MessageDecoder.arguments(of: message)
    }

    static let samples: [DBusValue] = [
        .byte(255), .boolean(true), .boolean(false), .int16(.min), .uint16(.max), .int32(-42), .uint32(.max),
        .int64(.min), .int64(.max), .uint64(.max), .double(-0.5), .double(1e300),
        .string(""), .string("héllo ✓ \"quoted\"\nnew line"), .objectPath("/"), .objectPath("/org/mpris/MediaPlayer2"),
        .signature("a{sv}"), .variant(.int32(7)), .variant(.variant(.string("nested"))),
        .array(element: .string, []), .array(element: .string, [.string("a"), .string("b")]),
        .array(element: .array(.int32), [.array(element: .int32, [.int32(1)]), .array(element: .int32, [])]),
        .dictionary(key: .string, value: .variant, [
            DBusDictionaryEntry(key: .string("Volume"), value: .variant(.double(0.5))),
            DBusDictionaryEntry(key: .string("xesam:artist"), value: .variant(.array(element: .string, [.string("Someone")]))),
        ]),
        .dictionary(key: .uint32, value: .string, []),
        .structure([.string("a"), .int32(1), .double(2)]),
        .array(element: .structure([.string, .int32]), [.structure([.string("x"), .int32(1)])]),
        .dictionary(key: .string, value: .dictionary(key: .string, value: .variant), [
            DBusDictionaryEntry(key: .string("outer"), value: .dictionary(key: .string, value: .variant, [
                DBusDictionaryEntry(key: .string("inner"), value: .variant(.boolean(true))),
            ])),
        ]),
    ]

    @Test(arguments: samples)
    func roundTripsEachValue(_ value: DBusValue) throws {
        #expect(try roundTrip([value]) == [value])
    }

    @Test func roundTripsManyArguments() throws {
        #expect(try roundTrip(Self.samples) == Self.samples)
        #expect(try roundTrip([]) == [])
    }

    @Test(arguments: [
        DBusValue.string("nul\u{0}inside"), .objectPath("not/a/path"), .objectPath("/trailing/"), .signature("a{"),
        .array(element: .int32, [.string("wrong element")]),
        .dictionary(key: .string, value: .int32, [DBusDictionaryEntry(key: .int32(1), value: .int32(2))]),
        .structure([]), .variant(.string("bad\u{0}")),
    ])
    func refusesWhatLibdbusWouldAbortOn(_ value: DBusValue) {
        #expect(throws: DBusError.self) { try roundTrip([value]) }
    }
}
