/// Reads one table of the configuration through its declared keys (`ConfigTable`), so each value
/// is checked against its key's type and range and keys nobody declared (typos) are reported
/// rather than silently ignored.
public struct ConfigSection: Sendable {
    public let file: String
    /// The dotted path of this table ("account", "commands.status"); empty for the top level.
    public let path: String
    public let values: [String: ConfigValue]
    /// The keys this table may hold; nil for a table of free keys (environment variables), whose
    /// reader checks each key itself and whose vocabulary is then the keys read.
    public let schema: ConfigTable?
    public private(set) var used: Set<String> = []
    /// Where each key of the whole file is written, when the file was parsed with lines.
    public let keyLines: TOMLKeyLines

    public init(file: String, path: String, values: [String: ConfigValue], keyLines: TOMLKeyLines = TOMLKeyLines(), schema: ConfigTable? = nil) {
        self.file = file
        self.path = path
        self.values = values
        self.keyLines = keyLines
        self.schema = schema
    }

    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The line `key` of this table is written on, if known.
    public func line(of key: String) -> Int? { keyLines.line(for: keyPath(key)) }

    public func error(_ key: String, _ problem: String) -> ConfigurationError {
        .invalid(file: file, key: keyPath(key), problem: problem)
    }

    /// The key's value as written, checked against its declared type and range; what the key
    /// reads as when the file leaves it out; "is required" when it has no default.
    public mutating func read<Value>(_ key: ConfigKey<Value>) throws(ConfigurationError) -> Value {
        if let schema, !schema.names.contains(key.name) {
            throw error(key.name, "is read but \(schema.title) does not declare it (a bug in adhocd: declare the key in its table)")
        }
        if let value = try read(key.name, as: key.type) { return value }
        guard let absent = key.absent else { throw error(key.name, "is required") }
        return absent
    }

    /// A key of a table of free keys (`[env]`), by name; nil when absent.
    public mutating func read<Value>(_ name: String, as type: ConfigType<Value>) throws(ConfigurationError) -> Value? {
        used.insert(name)
        guard let value = values[name] else { return nil }
        do {
            return try type.decode(value, KeyPlace(file: file, path: keyPath(name), keyLines: keyLines))
        } catch {
            throw self.error(name, error.text)
        }
    }

    /// Fails on the first key the table does not declare, suggesting the declared key it is a
    /// typo of. Also fails when the reader left a declared key unread: a key that is declared
    /// but never read would be accepted and ignored.
    public func rejectUnknownKeys() throws(ConfigurationError) {
        guard let schema else {
            if let unknown = values.keys.sorted().first(where: { !used.contains($0) }) {
                let suggestion = used.sorted().first { isLikelyTypo(unknown, of: $0) }
                throw error(unknown, suggestion.map { "unknown key (did you mean '\($0)'?)" } ?? "unknown key")
            }
            return
        }
        if let unknown = values.keys.sorted().first(where: { !schema.names.contains($0) }) {
            throw error(unknown, schema.suggestion(for: unknown).map { "unknown key (did you mean '\($0)'?)" } ?? "unknown key")
        }
        if let unread = schema.names.subtracting(used).sorted().first {
            throw error(unread, "is declared in \(schema.title) but its reader never reads it (a bug in adhocd)")
        }
    }
}

/// Whether `text` is probably `key` mistyped: a few edits apart, fewer for short keys.
public func isLikelyTypo(_ text: String, of key: String) -> Bool {
    text != key && editDistance(text, key) <= max(1, key.count / 4)
}

/// The candidate `text` is most likely a misspelling of, if any is close enough: the nearest,
/// the first of those as near.
public func closestMatch(to text: String, among candidates: some Sequence<String>) -> String? {
    candidates.filter { isLikelyTypo(text, of: $0) }.min { editDistance(text, $0) < editDistance(text, $1) }
}

/// Edits (insert, delete, replace, swap two neighbours) from one key to another, for
/// "did you mean" on short key names.
func editDistance(_ first: String, _ second: String) -> Int {
    let a = Array(first.unicodeScalars)
    let b = Array(second.unicodeScalars)
    var distance = [[Int]](repeating: Array(0...b.count), count: a.count + 1)
    for i in 0...a.count { distance[i][0] = i }
    for i in a.indices {
        for j in b.indices {
            var best = min(distance[i][j + 1] + 1, distance[i + 1][j] + 1, distance[i][j] + (a[i] == b[j] ? 0 : 1))
            if i > 0, j > 0, a[i] == b[j - 1], a[i - 1] == b[j] { best = min(best, distance[i - 1][j - 1] + 1) }
            distance[i + 1][j + 1] = best
        }
    }
    return distance[a.count][b.count]
}
