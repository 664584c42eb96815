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
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw failure("unterminated string (use \"\"\" for text over several lines)")
            default:
                scalars.append(contentsOf: try takeScalar().unicodeScalars)
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
                while let next = peek(at: lookahead), next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") { lookahead += 1 }
                if let next = peek(at: lookahead), next == UInt8(ascii: "\n") || next == UInt8(ascii: "\r") {
                    position = lookahead
                    while let next = peek(), next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "\n") || next == UInt8(ascii: "\r") {
                        advance()
                    }
                    continue
                }
                scalars.append(try parseEscape())
                continue
            }
            scalars.append(contentsOf: try takeScalar().unicodeScalars)
        }
    }

    mutating func parseLiteralString() throws(Error) -> String {
        advance()
        let start = position
        while let byte = peek(), byte != UInt8(ascii: "'") {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { throw failure("unterminated literal string") }
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
        while position < bytes.count, !startsWith("'''") { advance() }
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
            guard position + length <= bytes.count,
                  let value = UInt32(String(decoding: bytes[position..<position + length], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(value)
            else { throw failure("invalid \\\(Character(Unicode.Scalar(byte))) escape") }
            position += length
            return scalar
        default:
            throw failure("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    /// One whole character of UTF-8 text (strings may hold any Unicode except controls).
    mutating func takeScalar() throws(Error) -> String {
        guard let byte = peek() else { throw failure("unexpected end of file") }
        if byte < 0x20 && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\r") || byte == 0x7F {
            throw failure("control characters must be escaped in strings")
        }
        let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        let end = min(bytes.count, position + length)
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        position = end
        return text
    }
}
