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
            // XML Schema's decimal: digits with an optional point, no exponent, no INF or NaN.
            guard Self.isDecimalNumeral(trimmed[...]), let number = Double(trimmed), number.isFinite else { return nil }
            return .real(number)
        case .double, .float:
            // Schema spells infinities INF/-INF; Swift's parser wants inf, and takes forms
            // Schema does not (hexadecimal, "infinity", "nan"), so the form is checked first.
            switch trimmed {
            case "INF", "+INF": return .real(.infinity)
            case "-INF": return .real(-.infinity)
            case "NaN": return .real(.nan)
            default:
                guard Self.isFloatingNumeral(trimmed), let number = Double(trimmed), number.isFinite else { return nil }
                return .real(number)
            }
        default:
            return .text(text)
        }
    }

    /// `[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)`: XML Schema's decimal numeral.
    private static func isDecimalNumeral(_ text: Substring) -> Bool {
        var rest = text.utf8[...]
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
        let whole = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        rest = rest.dropFirst(whole)
        var fraction = 0
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fraction = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            rest = rest.dropFirst(fraction)
        }
        return rest.isEmpty && whole + fraction > 0
    }

    /// A decimal numeral with an optional exponent `[eE][+-]?[0-9]+`: XML Schema's double and
    /// float, INF and NaN aside.
    private static func isFloatingNumeral(_ text: String) -> Bool {
        guard let mark = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return isDecimalNumeral(text[...]) }
        var exponent = text[text.index(after: mark)...].utf8[...]
        if let sign = exponent.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
        return isDecimalNumeral(text[..<mark]) && !exponent.isEmpty && exponent.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

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
}
