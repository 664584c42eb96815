/// An XML Schema datatype as XEP-0122 uses them; unknown ones are checked as `xs:string`.
public struct Datatype: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let string = Datatype(rawValue: "xs:string")
    public static let boolean = Datatype(rawValue: "xs:boolean")
    public static let integer = Datatype(rawValue: "xs:integer")
    public static let long = Datatype(rawValue: "xs:long")
    public static let int = Datatype(rawValue: "xs:int")
    public static let short = Datatype(rawValue: "xs:short")
    public static let byte = Datatype(rawValue: "xs:byte")
    public static let unsignedLong = Datatype(rawValue: "xs:unsignedLong")
    public static let unsignedInt = Datatype(rawValue: "xs:unsignedInt")
    public static let unsignedShort = Datatype(rawValue: "xs:unsignedShort")
    public static let unsignedByte = Datatype(rawValue: "xs:unsignedByte")
    public static let double = Datatype(rawValue: "xs:double")
    public static let decimal = Datatype(rawValue: "xs:decimal")
    public static let float = Datatype(rawValue: "xs:float")

    public var description: String { rawValue }

    /// A parsed value, comparable within its kind for range checks.
    public enum Value: Sendable, Equatable, Comparable {
        case signed(Int64)
        case unsigned(UInt64)
        case real(Double)
        case boolean(Bool)
        case text(String)

        public static func < (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.signed(let a), .signed(let b)): a < b
            case (.unsigned(let a), .unsigned(let b)): a < b
            case (.real(let a), .real(let b)): a < b
            case (.text(let a), .text(let b)): a < b
            case (.boolean(let a), .boolean(let b)): !a && b
            default: false
            }
        }
    }

    /// Reads `text` as this datatype; nil when it is not a value of it.
    public func parse(_ text: String) -> Value? {
        let trimmed = text.trimmingWhitespace()
        switch self {
        case .boolean:
            switch trimmed {
            case "1", "true": return .boolean(true)
            case "0", "false": return .boolean(false)
            default: return nil
            }
        case .integer, .long: return Int64(trimmed).map(Value.signed)
        case .int: return Int32(trimmed).map { .signed(Int64($0)) }
        case .short: return Int16(trimmed).map { .signed(Int64($0)) }
        case .byte: return Int8(trimmed).map { .signed(Int64($0)) }
        case .unsignedLong: return UInt64(trimmed).map(Value.unsigned)
        case .unsignedInt: return UInt32(trimmed).map { .unsigned(UInt64($0)) }
        case .unsignedShort: return UInt16(trimmed).map { .unsigned(UInt64($0)) }
        case .unsignedByte: return UInt8(trimmed).map { .unsigned(UInt64($0)) }
        case .decimal:
            guard Self.isDecimalLexical(Substring(trimmed).utf8), let number = Double(trimmed) else { return nil }
            return .real(number)
        case .double, .float:
            // XML Schema's lexical space, not Swift's: no hex, no `inf`/`nan` spellings.
            switch trimmed {
            case "INF", "+INF": return .real(.infinity)
            case "-INF": return .real(-.infinity)
            case "NaN": return .real(.nan)
            default:
                guard Self.isDoubleLexical(Substring(trimmed).utf8), let number = Double(trimmed) else { return nil }
                // A finite spelling too large for the type is infinite (XML Schema rounds it so).
                return .real(number)
            }
        default:
            return .text(text)
        }
    }

    /// The bounds of a fixed-size integer type, to say "at most 127" rather than "not a number"
    /// when a whole number does not fit.
    public var integerBounds: (min: String, max: String)? {
        switch self {
        case .integer, .long: ("\(Int64.min)", "\(Int64.max)")
        case .int: ("\(Int32.min)", "\(Int32.max)")
        case .short: ("\(Int16.min)", "\(Int16.max)")
        case .byte: ("\(Int8.min)", "\(Int8.max)")
        case .unsignedLong: ("0", "\(UInt64.max)")
        case .unsignedInt: ("0", "\(UInt32.max)")
        case .unsignedShort: ("0", "\(UInt16.max)")
        case .unsignedByte: ("0", "\(UInt8.max)")
        default: nil
        }
    }

    /// `[+-]? digits`: a whole number of any size.
    static func isIntegerLexical(_ text: Substring.UTF8View) -> Bool {
        var rest = text
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
        return !rest.isEmpty && rest.allSatisfy(isDigit)
    }

    /// `[+-]? (digits [. digits?] | . digits)`: xs:decimal has no exponent and no INF or NaN.
    static func isDecimalLexical(_ text: Substring.UTF8View) -> Bool {
        var rest = text
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
        let integer = rest.prefix { isDigit($0) }
        rest = rest.dropFirst(integer.count)
        guard let point = rest.first else { return !integer.isEmpty }
        guard point == UInt8(ascii: ".") else { return false }
        rest = rest.dropFirst()
        let fraction = rest.prefix { isDigit($0) }
        return fraction.count == rest.count && !(integer.isEmpty && fraction.isEmpty)
    }

    /// A decimal, optionally followed by `e`/`E`, a sign and digits.
    static func isDoubleLexical(_ text: Substring.UTF8View) -> Bool {
        guard let exponent = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
            return isDecimalLexical(text)
        }
        guard isDecimalLexical(text[..<exponent]) else { return false }
        var power = text[text.index(after: exponent)...]
        if let sign = power.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { power = power.dropFirst() }
        return !power.isEmpty && power.allSatisfy(isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// True when the datatype is a number, so range bounds compare numerically.
    public var isNumeric: Bool {
        switch self {
        case .integer, .long, .int, .short, .byte, .unsignedLong, .unsignedInt, .unsignedShort, .unsignedByte,
             .double, .decimal, .float: true
        default: false
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    public func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }

    /// At most `characters` characters, with "…" where text was cut: for echoing someone's
    /// input (a value, a name) in a message, where it may be huge.
    public func abbreviated(to characters: Int = 64) -> String {
        guard utf8.count > characters else { return self }
        let kept = prefix(characters)
        return kept.endIndex == endIndex ? self : String(kept) + "…"
    }
}
