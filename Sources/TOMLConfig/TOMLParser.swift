/// A TOML 1.0 reader for configuration files.
///
/// Written here rather than taken from a package: the TOML package available wraps a C++
/// library and pulls Foundation with ICU into the daemon, which measured ~7 MB of resident
/// memory for reading one small file at start-up. Dates and times parse but come back as
/// `.other`, since no adhocd key takes them.
public struct TOMLParser {
    public struct Error: Swift.Error, Equatable {
        public var line: Int
        public var column: Int
        public var message: String
    }

    private let bytes: [UInt8]
    private var position = 0
    private var root: [String: ConfigValue] = [:]
    /// The table that key/value lines currently go into.
    private var currentPath: [String] = []
    /// Tables defined by a header or by dotted keys, which may not be defined again.
    private var definedTables: Set<[String]> = []
    /// Inline tables and static arrays, which are closed to later additions.
    private var sealedPaths: Set<[String]> = []
    /// Where each key and table header starts, by the key path errors name (see `TOMLKeyLines`).
    private var keyOffsets: [String: Int] = [:]
    /// Tables appended so far to each `[[array]]`, to name its elements `dbus[1]`, `dbus[2]`…
    private var arrayTableCounts: [[String]: Int] = [:]

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public static func parse(_ text: String) throws(Error) -> [String: ConfigValue] {
        try parseWithLines(text).values
    }

    /// Parses and also records where each key is defined, so checks made after parsing can
    /// name the line of the offending key.
    public static func parseWithLines(_ text: String) throws(Error) -> TOMLDocument {
        var parser = TOMLParser(text)
        try parser.parseDocument()
        return TOMLDocument(values: parser.root, keyLines: TOMLKeyLines(offsets: parser.keyOffsets, in: parser.bytes))
    }

    /// The line each key and table header of `text` is on, for errors about values; empty when
    /// the text is not valid TOML (its syntax error carries its own line).
    public static func keyLines(in text: String) -> TOMLKeyLines {
        var parser = TOMLParser(text)
        do {
            try parser.parseDocument()
        } catch {
            return TOMLKeyLines()
        }
        return TOMLKeyLines(offsets: parser.keyOffsets, in: parser.bytes)
    }

    // MARK: Document structure

    private mutating func parseDocument() throws(Error) {
        while true {
            skipWhitespace()
            guard let byte = peek() else { return }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try skipToLineEnd()
            case UInt8(ascii: "["):
                try parseTableHeader()
            default:
                try parseKeyValue(into: currentPath)
                try skipToLineEnd()
            }
        }
    }

    private mutating func parseTableHeader() throws(Error) {
        let start = position
        advance()
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        skipWhitespace()
        let path = try parseKey()
        skipWhitespace()
        try expect("]")
        if isArray { try expect("]") }
        if isArray {
            try appendTableToArray(at: path)
        } else {
            guard !definedTables.contains(path) else { throw failure("table [\(path.joined(separator: "."))] is defined twice") }
            try createTable(at: path)
            definedTables.insert(path)
        }
        recordOffset(start, of: path)
        currentPath = path
        try skipToLineEnd()
    }

    private mutating func parseKeyValue(into tablePath: [String]) throws(Error) {
        let start = position
        let key = try parseKey()
        skipWhitespace()
        try expect("=")
        skipWhitespace()
        let value = try parseValue()
        // Dotted keys create the intermediate tables.
        let parent = tablePath + key.dropLast()
        if key.count > 1 {
            for depth in (tablePath.count + 1)...parent.count {
                try createTable(at: Array(parent.prefix(depth)))
                definedTables.insert(Array(parent.prefix(depth)))
            }
        }
        try insert(value, at: parent, key: key[key.count - 1])
        recordOffset(start, of: tablePath + key)
    }

    /// Names a path as `ConfigSection` does in errors: elements of arrays of tables as `name[N]`.
    /// Tables a header or dotted key creates on the way get the line of their first mention.
    private mutating func recordOffset(_ offset: Int, of path: [String]) {
        var name = ""
        for depth in path.indices {
            if depth > 0 { name += "." }
            name += path[depth]
            if keyOffsets[name] == nil { keyOffsets[name] = offset }
            if let count = arrayTableCounts[Array(path[...depth])] {
                name += "[\(count)]"
                if keyOffsets[name] == nil { keyOffsets[name] = offset }
            }
        }
    }

    // MARK: Keys

    private mutating func parseKey() throws(Error) -> [String] {
        var parts: [String] = []
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw failure("expected a key") }
            switch byte {
            case UInt8(ascii: "\""): parts.append(try parseBasicString())
            case UInt8(ascii: "'"): parts.append(try parseLiteralString())
            default:
                let start = position
                while let byte = peek(), Self.isBareKeyByte(byte) { advance() }
                guard position > start else { throw failure("expected a key, found '\(Character(Unicode.Scalar(byte)))'") }
                parts.append(String(decoding: bytes[start..<position], as: UTF8.self))
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ".") else { return parts }
            advance()
        }
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: Values

    private mutating func parseValue() throws(Error) -> ConfigValue {
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
            return try parseNumberOrDate()
        }
    }

    private mutating func parseNumberOrDate() throws(Error) -> ConfigValue {
        let start = position
        while let byte = peek(), !Self.endsScalar(byte) { advance() }
        // A date-time may carry one space between date and time.
        if position - start == 10, peek() == UInt8(ascii: " "), let next = peek(at: position + 1), next >= 0x30 && next <= 0x39 {
            advance()
            while let byte = peek(), !Self.endsScalar(byte) { advance() }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard !text.isEmpty else { throw failure("expected a value") }
        if let integer = Self.integer(text) { return .integer(integer) }
        if let double = Self.double(text) { return .double(double) }
        if Self.looksLikeDateOrTime(text) { return .other("date or time") }
        position = start
        throw failure("'\(text)' is not a valid value (strings need quotes)")
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
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

    private static func looksLikeDateOrTime(_ text: String) -> Bool {
        let pattern = text.utf8.prefix(10)
        let isDate = pattern.count == 10 && pattern.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (byte >= 0x30 && byte <= 0x39)
        }
        let isTime = text.utf8.count >= 8 && Array(text.utf8)[2] == UInt8(ascii: ":")
        return isDate || isTime
    }

    private mutating func parseArray() throws(Error) -> ConfigValue {
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

    private mutating func parseInlineTable() throws(Error) -> ConfigValue {
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

    private init(bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
    }

    // MARK: Strings

    private mutating func parseBasicString() throws(Error) -> String {
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

    private mutating func parseMultilineBasicString() throws(Error) -> String {
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

    private mutating func parseLiteralString() throws(Error) -> String {
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

    private mutating func parseMultilineLiteralString() throws(Error) -> String {
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
    private func closingQuoteRun(_ quote: UInt8) -> Int {
        var count = 0
        while count < 5, peek(at: position + count) == quote { count += 1 }
        return count
    }

    private mutating func parseEscape() throws(Error) -> Unicode.Scalar {
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
    private mutating func takeScalar() throws(Error) -> String {
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

    // MARK: Tables

    /// A structural conflict found while editing the tree; becomes an `Error` with a position.
    private struct Conflict: Swift.Error {
        var message: String
    }

    private mutating func createTable(at path: [String]) throws(Error) {
        try modify(path: path) { _ throws(Conflict) in }
    }

    private mutating func appendTableToArray(at path: [String]) throws(Error) {
        let parent = Array(path.dropLast())
        let key = path[path.count - 1]
        try createTable(at: parent)
        try modify(path: parent) { table throws(Conflict) in
            switch table[key] {
            case nil:
                table[key] = .array([.table([:])])
            case .array(var items) where items.allSatisfy({ if case .table = $0 { true } else { false } }):
                items.append(.table([:]))
                table[key] = .array(items)
            default:
                throw Conflict(message: "[[\(path.joined(separator: "."))]] conflicts with an earlier value")
            }
        }
        sealedPaths.remove(path)
        arrayTableCounts[path, default: 0] += 1
        // Headers below this path now refer to the newest element, which is empty.
        definedTables = definedTables.filter { !$0.starts(with: path) || $0 == path }
    }

    private mutating func insert(_ value: ConfigValue, at path: [String], key: String) throws(Error) {
        if sealedPaths.contains(path) { throw failure("cannot add keys to an inline table") }
        try modify(path: path) { table throws(Conflict) in
            guard table[key] == nil else { throw Conflict(message: "key '\(key)' is defined twice") }
            table[key] = value
        }
        if case .table = value { sealedPaths.insert(path + [key]) }
    }

    /// Walks to the table at `path`, creating missing tables and entering the last element of
    /// arrays of tables, and lets `change` edit it.
    private mutating func modify(path: [String], _ change: (inout [String: ConfigValue]) throws(Conflict) -> Void) throws(Error) {
        var tree = root
        do {
            try Self.walk(&tree, path[...], change)
        } catch {
            throw failure(error.message)
        }
        root = tree
    }

    private static func walk(
        _ table: inout [String: ConfigValue], _ remaining: ArraySlice<String>,
        _ change: (inout [String: ConfigValue]) throws(Conflict) -> Void
    ) throws(Conflict) {
        guard let key = remaining.first else {
            try change(&table)
            return
        }
        switch table.removeValue(forKey: key) {
        case nil:
            var child: [String: ConfigValue] = [:]
            try walk(&child, remaining.dropFirst(), change)
            table[key] = .table(child)
        case .table(var child):
            defer { table[key] = .table(child) }
            try walk(&child, remaining.dropFirst(), change)
        case .array(var items):
            defer { table[key] = .array(items) }
            guard case .table(var child)? = items.last else { throw Conflict(message: "'\(key)' is not a table") }
            defer { items[items.count - 1] = .table(child) }
            try walk(&child, remaining.dropFirst(), change)
        case let value?:
            table[key] = value
            throw Conflict(message: "'\(key)' is already a value, not a table")
        }
    }

    // MARK: Scanning

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private func peek(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func advance() { position += 1 }

    private func startsWith(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        return position + utf8.count <= bytes.count && Array(bytes[position..<position + utf8.count]) == utf8
    }

    private func isWordByte(at index: Int) -> Bool {
        guard let byte = peek(at: index) else { return false }
        return Self.isBareKeyByte(byte)
    }

    private mutating func expect(_ character: Character) throws(Error) {
        guard let byte = peek(), Character(Unicode.Scalar(byte)) == character else {
            throw failure("expected '\(character)'")
        }
        advance()
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
    }

    private mutating func skipOneNewline() {
        if startsWith("\r\n") { position += 2 } else if peek() == UInt8(ascii: "\n") { advance() }
    }

    /// After a value or header only a comment may follow on the line.
    private mutating func skipToLineEnd() throws(Error) {
        skipWhitespace()
        if peek() == UInt8(ascii: "#") {
            while let byte = peek(), byte != UInt8(ascii: "\n") { advance() }
        }
        guard let byte = peek() else { return }
        if byte == UInt8(ascii: "\r") { advance() }
        guard peek() == UInt8(ascii: "\n") else { throw failure("expected the end of the line") }
        advance()
    }

    private mutating func skipWhitespaceCommentsAndNewlines() throws(Error) {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): advance()
            case UInt8(ascii: "#"): while let byte = peek(), byte != UInt8(ascii: "\n") { advance() }
            default: return
            }
        }
    }

    private func failure(_ message: String) -> Error {
        var line = 1
        var lineStart = 0
        for index in 0..<min(position, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return Error(line: line, column: position - lineStart + 1, message: message)
    }
}
