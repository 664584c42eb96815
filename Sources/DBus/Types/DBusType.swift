/// One complete D-Bus type, as a signature spells it: the type tree values and forms are built on.
public indirect enum DBusType: Sendable, Hashable {
    case byte, boolean, int16, uint16, int32, uint32, int64, uint64, double
    case string, objectPath, signature
    /// A Unix file descriptor: parsed so signatures carrying one are understood, never exposed.
    case unixFD
    case variant
    case array(DBusType)
    /// `a{kv}`: dictionaries are their own case rather than arrays of dict entries, since every
    /// consumer (forms, tables, marshalling) treats them differently.
    case dictionary(key: DBusType, value: DBusType)
    case structure([DBusType])

    /// The type code as libdbus and the wire use it.
    public var code: Character {
        switch self {
        case .byte: "y"
        case .boolean: "b"
        case .int16: "n"
        case .uint16: "q"
        case .int32: "i"
        case .uint32: "u"
        case .int64: "x"
        case .uint64: "t"
        case .double: "d"
        case .string: "s"
        case .objectPath: "o"
        case .signature: "g"
        case .unixFD: "h"
        case .variant: "v"
        case .array, .dictionary: "a"
        case .structure: "("
        }
    }

    /// The signature of this single complete type.
    public var signature: String {
        switch self {
        case .array(let element): "a" + element.signature
        case .dictionary(let key, let value): "a{" + key.signature + value.signature + "}"
        case .structure(let members): "(" + members.map(\.signature).joined() + ")"
        default: String(code)
        }
    }

    /// Basic types may be dictionary keys and are marshalled as one fixed or string value.
    public var isBasic: Bool {
        switch self {
        case .variant, .array, .dictionary, .structure: false
        default: true
        }
    }

    public var isInteger: Bool {
        switch self {
        case .byte, .int16, .uint16, .int32, .uint32, .int64, .uint64: true
        default: false
        }
    }

    /// Whether the type, or anything inside it, is a file descriptor (which adhocd never passes).
    public var containsUnixFD: Bool {
        switch self {
        case .unixFD: true
        case .array(let element): element.containsUnixFD
        case .dictionary(let key, let value): key.containsUnixFD || value.containsUnixFD
        case .structure(let members): members.contains { $0.containsUnixFD }
        default: false
        }
    }

    /// A reader's name for the type, used in labels and error messages.
    public var readableName: String {
        switch self {
        case .byte: "byte (0–255)"
        case .boolean: "boolean"
        case .int16: "16-bit integer"
        case .uint16: "16-bit unsigned integer"
        case .int32: "32-bit integer"
        case .uint32: "32-bit unsigned integer"
        case .int64: "64-bit integer"
        case .uint64: "64-bit unsigned integer"
        case .double: "number"
        case .string: "text"
        case .objectPath: "object path"
        case .signature: "type signature"
        case .unixFD: "file descriptor"
        case .variant: "variant"
        case .array(let element): "list of \(element.readableName)"
        case .dictionary(let key, let value): "map of \(key.readableName) to \(value.readableName)"
        case .structure(let members): "tuple (" + members.map(\.readableName).joined(separator: ", ") + ")"
        }
    }
}

extension DBusType: CustomStringConvertible {
    public var description: String { signature }
}
