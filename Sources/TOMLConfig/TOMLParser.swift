/// A TOML 1.0 reader for configuration files.
///
/// Written here rather than taken from a package (docs/architecture.md): errors name the line
/// of each key, which TOMLKit cannot give, and TOMLKit pulls Foundation with ICU into the
/// daemon (about 6 MiB of resident memory for reading one small file at start-up). Held to
/// Python's tomllib by Tests/toml/test_differential.py.
public struct TOMLParser {
    public struct Error: Swift.Error, Equatable {
        public var line: Int
        public var column: Int
        public var message: String
    }

    /// How deep arrays and inline tables may nest, and how many parts a key path may have:
    /// more would only exhaust the stack or take time (toml-test suggests 128 or 256).
    static let maximumNesting = 128

    let bytes: [UInt8]
    var position = 0
    var tree: TOMLTree
    /// Arrays and inline tables open around the current position.
    var nesting = 0
    /// The table that key/value lines currently go into.
    var currentPath: [String] = []
    /// Where each key and table header starts, by the key path errors name (see `TOMLKeyLines`).
    var keyOffsets: [String: Int] = [:]
    /// Tables appended so far to each `[[array]]`, to name its elements `dbus[1]`, `dbus[2]`…
    var arrayTableCounts: [[String]: Int] = [:]

    init(_ text: String) {
        tree = TOMLTree()
        // Line ends become LF everywhere, strings included (TOML allows it, tomllib does it),
        // so a lone CR is left to be refused. A byte order mark, which some editors write, is
        // skipped (toml-test counts it valid; tomllib refuses it).
        bytes = Self.normalisingLineEnds(Array(text.utf8.trimmingPrefix([0xEF, 0xBB, 0xBF])))
    }

    static func normalisingLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "\r")) else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() where !(byte == UInt8(ascii: "\r") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")) {
            result.append(byte)
        }
        return result
    }

    public static func parse(_ text: String) throws(Error) -> [String: ConfigValue] {
        try parseWithLines(text).values
    }

    /// A file's bytes as text. TOML files are UTF-8: one in another encoding is refused at its
    /// first invalid byte, where decoding with replacement characters would change its values.
    public static func text(utf8 bytes: [UInt8]) throws(Error) -> String {
        var decoder = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            case .error:
                let parser = TOMLParser(bytes: bytes, position: offset, nesting: 0)
                throw parser.failure("byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) is not valid UTF-8: TOML files are UTF-8, save the file as UTF-8")
            }
        }
    }

    /// `parseWithLines` for a file's bytes, which must be UTF-8.
    public static func parseWithLines(utf8 bytes: [UInt8]) throws(Error) -> TOMLDocument {
        try parseWithLines(text(utf8: bytes))
    }

    /// Parses and also records where each key is defined, so checks made after parsing can
    /// name the line of the offending key.
    public static func parseWithLines(_ text: String) throws(Error) -> TOMLDocument {
        var parser = TOMLParser(text)
        try parser.parseDocument()
        return TOMLDocument(values: parser.tree.root, keyLines: TOMLKeyLines(offsets: parser.keyOffsets, in: parser.bytes))
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

    mutating func parseDocument() throws(Error) {
        while true {
            skipWhitespace()
            guard let byte = peek() else { return }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"):
                try skipToLineEnd()
            case UInt8(ascii: "["):
                try parseTableHeader()
            default:
                try parseKeyValue(into: currentPath)
                try skipToLineEnd()
            }
        }
    }

    mutating func parseTableHeader() throws(Error) {
        let start = position
        advance()
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        skipWhitespace()
        let path = try parseKey()
        skipWhitespace()
        try expect("]")
        if isArray { try expect("]") }
        let end = position
        position = start
        try apply { (tree: inout TOMLTree) throws(TOMLTree.Conflict) in
            if isArray { try tree.appendArrayTable(path) } else { try tree.openTable(path) }
        }
        position = end
        if isArray {
            arrayTableCounts[path, default: 0] += 1
            // Arrays of tables inside the new element start counting again.
            arrayTableCounts = arrayTableCounts.filter { !($0.key.count > path.count && $0.key.starts(with: path)) }
        }
        recordOffset(start, of: path)
        currentPath = path
        try skipToLineEnd()
    }

    mutating func parseKeyValue(into tablePath: [String]) throws(Error) {
        let start = position
        let key = try parseKey()
        skipWhitespace()
        try expect("=")
        skipWhitespace()
        guard tablePath.count + key.count <= Self.maximumNesting else {
            position = start
            throw failure("the key is nested deeper than \(Self.maximumNesting) tables")
        }
        let value = try parseValue()
        let end = position
        position = start
        try apply { (tree: inout TOMLTree) throws(TOMLTree.Conflict) in try tree.insert(value, key: key, in: tablePath) }
        position = end
        recordOffset(start, of: tablePath + key)
    }

    /// Names a path as `ConfigSection` does in errors: elements of arrays of tables as `name[N]`.
    /// Tables a header or dotted key creates on the way get the line of their first mention.
    mutating func recordOffset(_ offset: Int, of path: [String]) {
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

    mutating func parseKey() throws(Error) -> [String] {
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
            guard parts.count < Self.maximumNesting else { throw failure("the key is nested deeper than \(Self.maximumNesting) tables") }
            advance()
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// Applies a change to the tables, reporting a broken rule at the current position.
    mutating func apply(_ change: (inout TOMLTree) throws(TOMLTree.Conflict) -> Void) throws(Error) {
        do {
            try change(&tree)
        } catch {
            throw failure(error.message)
        }
    }

    // MARK: Scanning

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    func peek(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func advance() { position += 1 }

    func startsWith(_ text: String) -> Bool {
        var index = position
        for byte in text.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    mutating func expect(_ character: Character) throws(Error) {
        guard let byte = peek(), Character(Unicode.Scalar(byte)) == character else {
            throw failure("expected '\(character)'")
        }
        advance()
    }

    mutating func skipWhitespace() {
        while let byte = peek(), Self.isWhitespace(byte) { advance() }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    mutating func skipOneNewline() {
        if peek() == UInt8(ascii: "\n") { advance() }
    }

    /// After a value or header only a comment may follow on the line.
    mutating func skipToLineEnd() throws(Error) {
        skipWhitespace()
        try skipComment()
        guard peek() != nil else { return }
        guard peek() == UInt8(ascii: "\n") else { throw failure("expected the end of the line") }
        advance()
    }

    /// A comment runs to the end of the line and holds no control character but tab.
    mutating func skipComment() throws(Error) {
        guard peek() == UInt8(ascii: "#") else { return }
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            try checkNotControl(byte, in: "comments")
            advance()
        }
    }

    mutating func skipWhitespaceCommentsAndNewlines() throws(Error) {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"): advance()
            case UInt8(ascii: "#"): try skipComment()
            default: return
            }
        }
    }

    func failure(_ message: String) -> Error {
        var line = 1
        var lineStart = 0
        for index in 0..<min(position, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return Error(line: line, column: position - lineStart + 1, message: message)
    }
}
