/// Parses D-Bus type signatures (the whole grammar of the specification's "Type system").
///
/// Everything that reaches libdbus passes through here first: libdbus aborts the process on
/// an invalid signature instead of returning an error.
public enum DBusSignature {
    /// The limits libdbus applies: 255 bytes; at most 32 array codes in a row, and structs and
    /// dict entries each nested at most 32 deep.
    public static let maximumLength = 255
    public static let maximumNesting = 32

    /// A signature: zero or more complete types (a method's arguments, a message body).
    public static func parse(_ signature: String) throws(DBusSignatureError) -> [DBusType] {
        var parser = Parser(signature)
        return try parser.parseAll()
    }

    /// Exactly one complete type (a property's or a variant's type).
    public static func parseSingle(_ signature: String) throws(DBusSignatureError) -> DBusType {
        let types = try parse(signature)
        guard types.count == 1 else {
            throw DBusSignatureError(signature: signature, offset: 0, problem: types.isEmpty ? "is empty, expected one type" : "holds \(types.count) types, expected one")
        }
        return types[0]
    }

    private struct Parser {
        let text: String
        let bytes: [UInt8]
        var position = 0
        var structDepth = 0
        var dictionaryDepth = 0

        init(_ text: String) {
            self.text = text
            bytes = Array(text.utf8)
        }

        func fail(_ problem: String) -> DBusSignatureError {
            DBusSignatureError(signature: text, offset: position, problem: problem)
        }

        mutating func parseAll() throws(DBusSignatureError) -> [DBusType] {
            guard bytes.count <= DBusSignature.maximumLength else {
                throw DBusSignatureError(signature: String(text.prefix(40)) + "…", offset: 0, problem: "is \(bytes.count) bytes long; the limit is \(DBusSignature.maximumLength)")
            }
            var types: [DBusType] = []
            while position < bytes.count {
                types.append(try parseComplete(arrayRun: 0))
            }
            return types
        }

        /// `arrayRun`: how many array codes come right before this type (libdbus counts runs
        /// of `a`, which any other code ends, rather than arrays enclosing the type).
        mutating func parseComplete(arrayRun: Int) throws(DBusSignatureError) -> DBusType {
            guard position < bytes.count else { throw fail("ends in the middle of a type") }
            let code = bytes[position]
            if let basic = Self.basicType(code) {
                position += 1
                return basic
            }
            switch code {
            case UInt8(ascii: "v"):
                position += 1
                return .variant
            case UInt8(ascii: "a"):
                position += 1
                guard arrayRun < DBusSignature.maximumNesting else { throw fail("has more than \(DBusSignature.maximumNesting) array codes in a row") }
                if position < bytes.count, bytes[position] == UInt8(ascii: "{") {
                    return try parseDictionaryEntry()
                }
                guard position < bytes.count else { throw fail("ends after 'a': an array needs an element type") }
                return .array(try parseComplete(arrayRun: arrayRun + 1))
            case UInt8(ascii: "("):
                position += 1
                structDepth += 1
                defer { structDepth -= 1 }
                guard structDepth <= DBusSignature.maximumNesting else { throw fail("nests structs deeper than \(DBusSignature.maximumNesting)") }
                var members: [DBusType] = []
                while true {
                    guard position < bytes.count else { throw fail("has an unclosed '('") }
                    if bytes[position] == UInt8(ascii: ")") { break }
                    members.append(try parseComplete(arrayRun: 0))
                }
                guard !members.isEmpty else { throw fail("has an empty struct '()'") }
                position += 1
                return .structure(members)
            case UInt8(ascii: ")"):
                throw fail("has a ')' without a matching '('")
            case UInt8(ascii: "{"), UInt8(ascii: "}"):
                throw fail("has a dict entry outside an array: '{' must follow 'a'")
            default:
                let character = Unicode.Scalar(code).escaped(asASCII: true)
                throw fail("has an unknown type code '\(character)'")
            }
        }

        /// After `a{`: a basic key type, one complete value type, `}`.
        mutating func parseDictionaryEntry() throws(DBusSignatureError) -> DBusType {
            position += 1
            dictionaryDepth += 1
            defer { dictionaryDepth -= 1 }
            guard dictionaryDepth <= DBusSignature.maximumNesting else { throw fail("nests dict entries deeper than \(DBusSignature.maximumNesting)") }
            guard position < bytes.count else { throw fail("has an unclosed '{'") }
            guard let key = Self.basicType(bytes[position]) else {
                throw fail("has a dictionary key that is not a basic type")
            }
            position += 1
            guard position < bytes.count, bytes[position] != UInt8(ascii: "}") else {
                throw fail("has a dict entry without a value type")
            }
            let value = try parseComplete(arrayRun: 0)
            guard position < bytes.count, bytes[position] == UInt8(ascii: "}") else {
                throw fail("has a dict entry with more than one value type, or no closing '}'")
            }
            position += 1
            return .dictionary(key: key, value: value)
        }

        static func basicType(_ code: UInt8) -> DBusType? {
            switch code {
            case UInt8(ascii: "y"): .byte
            case UInt8(ascii: "b"): .boolean
            case UInt8(ascii: "n"): .int16
            case UInt8(ascii: "q"): .uint16
            case UInt8(ascii: "i"): .int32
            case UInt8(ascii: "u"): .uint32
            case UInt8(ascii: "x"): .int64
            case UInt8(ascii: "t"): .uint64
            case UInt8(ascii: "d"): .double
            case UInt8(ascii: "s"): .string
            case UInt8(ascii: "o"): .objectPath
            case UInt8(ascii: "g"): .signature
            case UInt8(ascii: "h"): .unixFD
            default: nil
            }
        }
    }
}

/// Why a signature is not valid D-Bus.
public struct DBusSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    public let signature: String
    /// The byte offset where the problem was found.
    public let offset: Int
    public let problem: String

    public var description: String {
        "D-Bus signature \"\(signature)\" \(problem) (at byte \(offset))"
    }
}
