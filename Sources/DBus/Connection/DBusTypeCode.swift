import CDBus

/// libdbus's `DBUS_TYPE_*` constants: they are macros with casts (`((int) 's')`) that do not
/// import into Swift.
enum DBusTypeCode {
    static let invalid: Int32 = 0

    static func of(_ type: DBusType) -> Int32 {
        Int32(type.code.asciiValue ?? 0)
    }

    static let array = Int32(UInt8(ascii: "a"))
    static let variant = Int32(UInt8(ascii: "v"))
    static let structure = Int32(UInt8(ascii: "r"))
    static let dictionaryEntry = Int32(UInt8(ascii: "e"))
    static let string = Int32(UInt8(ascii: "s"))
}
