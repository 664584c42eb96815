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
        default:
            // A bare value (boolean, date-time, number) ends at a delimiter; anything else
            // right after it makes the whole word invalid.
            let start = position
            let value: ConfigValue
            if startsWith("true") {
                position += 4
                value = .bool(true)
            } else if startsWith("false") {
                position += 5
                value = .bool(false)
            } else if let dateTime = try parseDateTime() {
                value = .dateTime(dateTime)
            } else {
                value = try parseNumber()
            }
            if let next = peek(), !Self.endsScalar(next) { return try invalidValue(from: start) }
            return value
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

    /// An integer or float, in TOML's grammar: decimal integers without leading zeros; `0x`,
    /// `0o`, `0b` integers without sign; floats with a fraction and/or an exponent, each part
    /// starting with a digit; underscores only between digits; `inf` and `nan` with an
    /// optional sign. Integers must fit in 64 bits, as TOML requires.
    mutating func parseNumber() throws(Error) -> ConfigValue {
        let start = position
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where startsWith(prefix) {
            position += 2
            guard skipDigits(radix: radix) else { return try invalidValue(from: start) }
            let digits = String(decoding: bytes[(start + 2)..<position].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
            guard let value = Int(digits, radix: radix) else { throw failure("\(prefix)\(digits) does not fit in 64 bits (at most 0x7fffffffffffffff)") }
            return .integer(value)
        }
        for special in ["inf", "+inf", "-inf", "nan", "+nan", "-nan"] where startsWith(special) {
            position += special.utf8.count
            return .double(special.hasSuffix("inf") ? (special.hasPrefix("-") ? -.infinity : .infinity) : .nan)
        }
        if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { advance() }
        // The whole part: 0, or digits not starting with 0.
        if peek() == UInt8(ascii: "0") {
            advance()
        } else if let first = peek(), first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") {
            _ = skipDigits(radix: 10)
        } else {
            return try invalidValue(from: start)
        }
        var isFloat = false
        if peek() == UInt8(ascii: "."), let next = peek(at: position + 1), Self.isDigit(next, radix: 10) {
            advance()
            _ = skipDigits(radix: 10)
            isFloat = true
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let mark = position
            advance()
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { advance() }
            if skipDigits(radix: 10) { isFloat = true } else { position = mark }
        }
        let text = String(decoding: bytes[start..<position].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let value = Double(text) else { return try invalidValue(from: start) }
            return .double(value)
        }
        guard let value = Int(text) else {
            throw failure("\(text) does not fit in 64 bits (-9223372036854775808 to 9223372036854775807)")
        }
        return .integer(value)
    }

    /// Skips digits of `radix` with single underscores between them; false when none is here.
    mutating func skipDigits(radix: Int) -> Bool {
        guard let first = peek(), Self.isDigit(first, radix: radix) else { return false }
        advance()
        while let next = peek() {
            if Self.isDigit(next, radix: radix) {
                advance()
            } else if next == UInt8(ascii: "_"), let after = peek(at: position + 1), Self.isDigit(after, radix: radix) {
                position += 2
            } else {
                break
            }
        }
        return true
    }

    static func isDigit(_ byte: UInt8, radix: Int) -> Bool {
        switch radix {
        case 16: (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
        default: byte >= 0x30 && byte < 0x30 + UInt8(radix)
        }
    }

    /// Refuses the text from `start` to the next delimiter as a value.
    func invalidValue(from start: Int) throws(Error) -> ConfigValue {
        var end = start
        while end < bytes.count, !Self.endsScalar(bytes[end]) { end += 1 }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        var parser = self
        parser.position = start
        throw text.isEmpty ? parser.failure("expected a value") : parser.failure("'\(text)' is not a valid value (strings need quotes)")
    }

    static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "#")
            || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    mutating func parseArray() throws(Error) -> ConfigValue {
        try enterNesting()
        defer { nesting -= 1 }
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
        try enterNesting()
        defer { nesting -= 1 }
        advance()
        // The table's keys go into a parser of their own, whose tree becomes the value.
        var nested = TOMLParser(bytes: bytes, position: position, nesting: nesting)
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
                return .table(nested.tree.root)
            default:
                position = nested.position
                throw failure("expected ',' or '}' in an inline table (which must stay on one line)")
            }
        }
    }

    private mutating func enterNesting() throws(Error) {
        nesting += 1
        guard nesting <= Self.maximumNesting else { throw failure("arrays and inline tables are nested deeper than \(Self.maximumNesting)") }
    }

    init(bytes: [UInt8], position: Int, nesting: Int) {
        self.bytes = bytes
        self.position = position
        self.nesting = nesting
        tree = TOMLTree(entersArraysOfTables: false)
    }
}
