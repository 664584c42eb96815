/// Reads one table of the configuration, keeping track of the keys used so unknown ones (typos)
/// are reported rather than silently ignored.
public struct ConfigSection {
    public let file: String
    /// The dotted path of this table ("account", "commands.status"); empty for the top level.
    public let path: String
    public let values: [String: ConfigValue]
    public private(set) var used: Set<String> = []
    /// Where each key of the whole file is written, when the file was parsed with lines.
    public let keyLines: TOMLKeyLines

    public init(file: String, path: String, values: [String: ConfigValue], keyLines: TOMLKeyLines = TOMLKeyLines()) {
        self.file = file
        self.path = path
        self.values = values
        self.keyLines = keyLines
    }

    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The line `key` of this table is written on, if known.
    public func line(of key: String) -> Int? { keyLines.line(for: keyPath(key)) }

    public func error(_ key: String, _ problem: String) -> ConfigurationError {
        .invalid(file: file, key: keyPath(key), problem: problem)
    }

    public mutating func value(_ key: String) -> ConfigValue? {
        used.insert(key)
        return values[key]
    }

    public mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        switch value(key) {
        case nil: return nil
        case .string(let text): return text
        case let other?: throw error(key, "expected a string, found \(other.kindName)")
        }
    }

    public mutating func requiredString(_ key: String) throws(ConfigurationError) -> String {
        guard let text = try string(key) else { throw error(key, "is required") }
        return text
    }

    public mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        switch value(key) {
        case nil: return nil
        case .integer(let number):
            guard range.contains(number) else {
                throw error(key, "must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
            }
            return number
        case let other?: throw error(key, "expected an integer, found \(other.kindName)")
        }
    }

    /// Seconds, as an integer or a decimal number.
    public mutating func seconds(_ key: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Duration? {
        guard let seconds = try number(key, in: range, unit: "seconds") else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// A number, integer or decimal; `unit` ("seconds", "percent") is named in errors.
    public mutating func number(_ key: String, in range: ClosedRange<Double>, unit: String? = nil) throws(ConfigurationError) -> Double? {
        let number: Double
        switch value(key) {
        case nil: return nil
        case .integer(let integer): number = Double(integer)
        case .double(let double): number = double
        case let other?: throw error(key, "expected a number\(unit.map { " (\($0))" } ?? ""), found \(other.kindName)")
        }
        guard range.contains(number) else {
            let bounds = "between \(Self.plain(range.lowerBound)) and \(Self.plain(range.upperBound))"
            throw error(key, "must be \(bounds)\(unit.map { " \($0)" } ?? ""), found \(Self.plain(number))")
        }
        return number
    }

    /// 100 rather than 100.0: limits and values as people write them.
    private static func plain(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    public mutating func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        switch value(key) {
        case nil: return nil
        case .bool(let flag): return flag
        case let other?: throw error(key, "expected true or false, found \(other.kindName)")
        }
    }

    public mutating func stringList(_ key: String) throws(ConfigurationError) -> [String]? {
        switch value(key) {
        case nil: return nil
        case .array(let items):
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw error(key, "item \(index + 1) should be a string, found \(item.kindName)")
                }
                strings.append(text)
            }
            return strings
        case let other?: throw error(key, "expected a list of strings, found \(other.kindName)")
        }
    }

    public mutating func section(_ key: String) throws(ConfigurationError) -> ConfigSection? {
        switch value(key) {
        case nil: return nil
        case .table(let table): return ConfigSection(file: file, path: keyPath(key), values: table, keyLines: keyLines)
        case let other?: throw error(key, "expected a table ([\(keyPath(key))]), found \(other.kindName)")
        }
    }

    /// An array of tables (`[[key]]` blocks), each as a section named `key[N]` (from 1); empty
    /// when the key is absent.
    public mutating func tables(_ key: String) throws(ConfigurationError) -> [ConfigSection] {
        guard let value = value(key) else { return [] }
        guard case .array(let items) = value else {
            throw error(key, "expected [[\(keyPath(key))]] tables, found \(value.kindName)")
        }
        var sections: [ConfigSection] = []
        for (index, item) in items.enumerated() {
            guard case .table(let table) = item else {
                throw error(key, "expected [[\(keyPath(key))]] tables, found \(item.kindName) as item \(index + 1)")
            }
            sections.append(ConfigSection(file: file, path: "\(keyPath(key))[\(index + 1)]", values: table, keyLines: keyLines))
        }
        return sections
    }

    /// Fails on the first key nobody asked for, suggesting the known key it is a typo of.
    public func rejectUnknownKeys() throws(ConfigurationError) {
        if let unknown = values.keys.sorted().first(where: { !used.contains($0) }) {
            // Every key read so far was asked for by name, so `used` is the table's vocabulary.
            let suggestion = used.sorted().first { isLikelyTypo(unknown, of: $0) }
            throw error(unknown, suggestion.map { "unknown key (did you mean '\($0)'?)" } ?? "unknown key")
        }
    }
}

/// Whether `text` is probably `key` mistyped: a few edits apart, fewer for short keys.
public func isLikelyTypo(_ text: String, of key: String) -> Bool {
    text != key && editDistance(text, key) <= max(1, key.count / 4)
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
