import DBus

/// A value of any D-Bus type without file descriptors, with one element in each container so
/// every level of nesting is marshalled.
enum SampleValue {
    static func of(_ type: DBusType) -> DBusValue {
        switch type {
        case .byte: .byte(7)
        case .boolean: .boolean(true)
        case .int16: .int16(-16)
        case .uint16: .uint16(16)
        case .int32: .int32(-32)
        case .uint32: .uint32(32)
        case .int64: .int64(-64)
        case .uint64: .uint64(64)
        case .double: .double(0.5)
        case .string: .string("text ✓")
        case .objectPath: .objectPath("/org/example")
        case .signature: .signature("a{sv}")
        case .unixFD: .int32(0)  // never asked for: callers leave such types out
        case .variant: .variant(.int32(1))
        case .array(let element): .array(element: element, [of(element)])
        case .dictionary(let key, let value): .dictionary(key: key, value: value, [DBusDictionaryEntry(key: of(key), value: of(value))])
        case .structure(let members): .structure(members.map(of))
        }
    }
}
