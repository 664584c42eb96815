extension TOMLParser {
    mutating func parseBasicString() throws(Error) -> String {
        advance()
        var scalars = String.UnicodeScalarView()
        while true {
            guard let byte = peek() else { throw failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(scalars)
            case UInt8(ascii: "\\"):
                scalars.append(try parseEscape())
            case UInt8(ascii: "\n"):
                throw failure("unterminated string (use \"\"\" for text over several lines)")
            default:
                scalars.append(contentsOf: try takeCharacter().unicodeScalars)
            }
        }
    }

    mutating func parseMultilineBasicString() throws(Error) -> String {
        position += 3
        skipOneNewline()
        var scalars = String.UnicodeScalarView()
        while true {
            guard let byte = peek() else { throw failure("unterminated multi-line string") }
            if startsWith("\"\"\"") {
                // Up to two quotes right before the closing """ belong to the text.
                let quotes = closingQuoteRun(UInt8(ascii: "\""))
                for _ in 0..<(quotes - 3) { scalars.append("\"") }
                position += quotes
                return String(scalars)
            }
            if byte == UInt8(ascii: "\\") {
                // A backslash at the end of a line trims the newline and following whitespace.
                var lookahead = position + 1
                while let next = peek(at: lookahead), Self.isWhitespace(next) { lookahead += 1 }
                if peek(at: lookahead) == UInt8(ascii: "\n") {
                    position = lookahead
                    while let next = peek(), Self.isWhitespace(next) || next == UInt8(ascii: "\n") { advance() }
                    continue
                }
                scalars.append(try parseEscape())
                continue
            }
            if byte == UInt8(ascii: "\n") {
                advance()
                scalars.append("\n")
                continue
            }
            scalars.append(contentsOf: try takeCharacter().unicodeScalars)
        }
    }

    mutating func parseLiteralString() throws(Error) -> String {
        advance()
        let start = position
        while let byte = peek(), byte != UInt8(ascii: "'") {
            if byte == UInt8(ascii: "\n") { throw failure("unterminated literal string") }
            try checkNotControl(byte, in: "strings")
            advance()
        }
        guard peek() != nil else { throw failure("unterminated literal string") }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        advance()
        return text
    }

    mutating func parseMultilineLiteralString() throws(Error) -> String {
        position += 3
        skipOneNewline()
        let start = position
        while let byte = peek(), !startsWith("'''") {
            if byte != UInt8(ascii: "\n") { try checkNotControl(byte, in: "strings") }
            advance()
        }
        guard startsWith("'''") else { throw failure("unterminated multi-line literal string") }
        let quotes = closingQuoteRun(UInt8(ascii: "'"))
        let end = position + quotes - 3
        position += quotes
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// How many of `quote` start here, at most five (a closing triple plus two of content).
    func closingQuoteRun(_ quote: UInt8) -> Int {
        var count = 0
        while count < 5, peek(at: position + count) == quote { count += 1 }
        return count
    }

    mutating func parseEscape() throws(Error) -> Unicode.Scalar {
        advance()
        guard let byte = peek() else { throw failure("unterminated escape") }
        advance()
        switch byte {
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let length = byte == UInt8(ascii: "u") ? 4 : 8
            let digits = bytes[position..<min(bytes.count, position + length)]
            guard digits.count == length, digits.allSatisfy({ Self.isDigit($0, radix: 16) }),
                  let value = UInt32(String(decoding: digits, as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(value)
            else { throw failure("invalid \\\(Character(Unicode.Scalar(byte))) escape: \(length) hexadecimal digits of a Unicode scalar value") }
            position += length
            return scalar
        default:
            throw failure("invalid escape '\\\(Character(Unicode.Scalar(byte)).unicodeScalars.first?.escaped(asASCII: true) ?? "")'")
        }
    }

    /// One whole character of UTF-8 text (strings may hold any Unicode except controls).
    mutating func takeCharacter() throws(Error) -> String {
        guard let byte = peek() else { throw failure("unexpected end of file") }
        try checkNotControl(byte, in: "strings")
        let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        let end = min(bytes.count, position + length)
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        position = end
        return text
    }

    /// TOML allows tabs but no other control character (U+0000–U+001F, U+007F) in strings and
    /// comments: escapes write them in basic strings. A lone carriage return is one of them.
    func checkNotControl(_ byte: UInt8, in place: String) throws(Error) {
        guard (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F else { return }
        let name = byte == UInt8(ascii: "\r") ? "a carriage return not followed by a line feed" : "control character U+\(byte < 0x10 ? "000" : "00")\(String(byte, radix: 16, uppercase: true))"
        throw failure("\(name) is not allowed in \(place)\(place == "strings" ? " (write an escape such as \\u0007 in a \"…\" string)" : "")")
    }
}
