import XMPPCore

/// XML Schema's lexical spaces for the datatypes XEP-0122 uses, written from the specification
/// (XML Schema Part 2, §3.2–3.3) and independent of `Datatype.parse`: the reference the data
/// form target checks accepted values against.
enum SchemaLexical {
    enum Order { case below, equal, above }

    private static let integerRanges: [Datatype: ClosedRange<Int128>] = [
        .integer: Int128(Int64.min)...Int128(Int64.max),  // adhocd bounds xs:integer to 64 bits
        .long: Int128(Int64.min)...Int128(Int64.max),
        .int: Int128(Int32.min)...Int128(Int32.max),
        .short: Int128(Int16.min)...Int128(Int16.max),
        .byte: Int128(Int8.min)...Int128(Int8.max),
        .unsignedLong: 0...Int128(UInt64.max),
        .unsignedInt: 0...Int128(UInt32.max),
        .unsignedShort: 0...Int128(UInt16.max),
        .unsignedByte: 0...Int128(UInt8.max),
    ]

    static func accepts(_ raw: String, as datatype: Datatype) -> Bool {
        let text = collapsed(raw)
        if let range = integerRanges[datatype] {
            guard let number = integer(text) else { return false }
            return range.contains(number)
        }
        switch datatype {
        case .boolean: return ["true", "false", "1", "0"].contains(text)
        case .decimal: return isDecimal(text)
        case .double, .float: return real(text) != nil
        default: return true
        }
    }

    static func isNaN(_ raw: String, as datatype: Datatype) -> Bool {
        (datatype == .double || datatype == .float || datatype == .decimal) && collapsed(raw) == "NaN"
    }

    /// How `value` compares with `bound`, both valid; nil when they do not compare (NaN), or
    /// the datatype has no numeric order (xs:string, and unknown datatypes, which XEP-0122 reads
    /// as xs:string: "0525" is no number there, whatever it looks like).
    static func compare(_ value: String, _ bound: String, as datatype: Datatype) -> Order? {
        if integerRanges[datatype] != nil, let left = integer(collapsed(value)), let right = integer(collapsed(bound)) {
            return left < right ? .below : left > right ? .above : .equal
        }
        guard datatype == .decimal || datatype == .double || datatype == .float else { return nil }
        guard let left = real(collapsed(value)), let right = real(collapsed(bound)), !left.isNaN, !right.isNaN else { return nil }
        return left < right ? .below : left > right ? .above : .equal
    }

    /// The whiteSpace facet "collapse": XML's four whitespace characters at the ends go.
    private static func collapsed(_ text: String) -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `[+-]?[0-9]+`.
    private static func integer(_ text: String) -> Int128? {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var value: Int128 = 0
        for digit in digits.utf8 {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = product + Int128(digit - 0x30)
        }
        return negative ? -value : value
    }

    /// `[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)`.
    private static func isDecimal(_ text: String) -> Bool {
        var rest = Substring(text).utf8[...]
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
        let whole = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
        rest = rest.dropFirst(whole.count)
        var fraction: Substring.UTF8View.SubSequence = rest.prefix(0)
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fraction = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
            rest = rest.dropFirst(fraction.count)
        }
        return rest.isEmpty && (!whole.isEmpty || !fraction.isEmpty)
    }

    /// A decimal with an optional exponent `[eE][+-]?[0-9]+`, or INF, +INF, -INF, NaN.
    private static func real(_ text: String) -> Double? {
        switch text {
        case "INF", "+INF": return .infinity
        case "-INF": return -.infinity
        case "NaN": return .nan
        default: break
        }
        var mantissa = Substring(text)
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            guard integer(String(text[text.index(after: e)...])) != nil else { return nil }
        }
        guard isDecimal(String(mantissa)) else { return nil }
        return Double(text)
    }
}
