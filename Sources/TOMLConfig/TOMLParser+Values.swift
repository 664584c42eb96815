extension TOMLParser {
    mutating func parseValue() throws(Error) -> ConfigValue {
        guard let byte = peek() else { throw failure("expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(try startsWith("\"\"\"") ? parseMultilineBasicString() : parseBasicString())
        case UInt8(ascii: "'"):
            return .string(try startsWith("'''") ? parseMultilineLiteralString() : parseLiteralString())
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "{"):
            return try parseInlineTable()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if startsWith("true") && !isWordByte(at: position + 4) { position += 4; return .bool(true) }
            if startsWith("false") && !isWordByte(at: position + 5) { position += 5; return .bool(false) }
            throw failure("expected a value")
        default:
            if let dateTime = try parseDateTime() { return .dateTime(dateTime) }
            return try parseNumber()
        }
    }

    /// A date, time or date-time, if one starts here.
    mutating func parseDateTime() throws(Error) -> TOMLDateTime? {
        do {
            guard let (value, length) = try TOMLDateTime.scan(bytes[position...]) else { return nil }
            position += length
            return value
        } catch {
            throw failure(error.problem)
        }
    }

    mutating func parseNumber() throws(Error) -> ConfigValue {
        let start = position
        while let byte = peek(), !Self.endsScalar(byte) { advance() }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard !text.isEmpty else { throw failure("expected a value") }
        if let integer = Self.integer(text) { return .integer(integer) }
        if let double = Self.double(text) { return .double(double) }
        position = start
        throw failure("'\(text)' is not a valid value (strings need quotes)")
    }

    static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "#")
            || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    static func integer(_ text: String) -> Int? {
        guard !text.hasPrefix("_"), !text.hasSuffix("_"), !text.contains("__") else { return nil }
        let cleaned = text.replacing("_", with: "")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where cleaned.hasPrefix(prefix) {
            return Int(cleaned.dropFirst(2), radix: radix)
        }
        let digits = cleaned.first == "+" || cleaned.first == "-" ? cleaned.dropFirst() : Substring(cleaned)
        // No leading zeros in decimal integers.
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), digits == "0" || !digits.hasPrefix("0") else { return nil }
        return Int(cleaned)
    }

    static func double(_ text: String) -> Double? {
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: break
        }
        guard !text.hasPrefix("_"), !text.hasSuffix("_"), !text.contains("__"), !text.contains("_."), !text.contains("._") else { return nil }
        let cleaned = text.replacing("_", with: "")
        guard cleaned.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }),
              cleaned.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }),
              !cleaned.hasSuffix("."), !cleaned.hasPrefix("."), !cleaned.contains(".e"), !cleaned.contains(".E")
        else { return nil }
        return Double(cleaned)
    }

    mutating func parseArray() throws(Error) -> ConfigValue {
        advance()
        var items: [ConfigValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: "]") {
                advance()
                return .array(items)
            }
            items.append(try parseValue())
            try skipWhitespaceCommentsAndNewlines()
            switch peek() {
            case UInt8(ascii: ","): advance()
            case UInt8(ascii: "]"): advance(); return .array(items)
            default: throw failure("expected ',' or ']' in an array")
            }
        }
    }

    mutating func parseInlineTable() throws(Error) -> ConfigValue {
        advance()
        // The table's keys go into a parser of their own, whose root becomes the value.
        var nested = TOMLParser(bytes: bytes, position: position)
        nested.skipWhitespace()
        if nested.peek() == UInt8(ascii: "}") {
            position = nested.position + 1
            return .table([:])
        }
        while true {
            try nested.parseKeyValue(into: [])
            nested.skipWhitespace()
            switch nested.peek() {
            case UInt8(ascii: ","): nested.advance(); nested.skipWhitespace()
            case UInt8(ascii: "}"):
                nested.advance()
                position = nested.position
                return .table(nested.root)
            default:
                position = nested.position
                throw failure("expected ',' or '}' in an inline table (which must stay on one line)")
            }
        }
    }

    init(bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
    }
}
