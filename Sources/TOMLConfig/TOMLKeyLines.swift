/// The line on which each key and table header of a TOML text starts, by the key path that
/// `ConfigurationError.invalid` names (`account.jid`, `commands.status.allow`, `dbus[2].units`),
/// so an error about a value can point at its line.
public struct TOMLKeyLines: Sendable, Equatable {
    private let lines: [String: Int]

    public init(_ lines: [String: Int] = [:]) {
        self.lines = lines
    }

    init(offsets: [String: Int], in bytes: [UInt8]) {
        var lineStarts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { lineStarts.append(index + 1) }
        lines = offsets.mapValues { offset in
            // The last line start at or before the offset, by binary search.
            var low = 0
            var high = lineStarts.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
            }
            return low + 1
        }
    }

    /// The keys the file gives in `table` (a key path; empty for the top level), for telling a
    /// missing key from a misspelt one.
    public func keys(in table: String) -> [String] {
        let prefix = table.isEmpty ? "" : table + "."
        return lines.keys.compactMap { path in
            guard path.hasPrefix(prefix) else { return nil }
            let name = path.dropFirst(prefix.count)
            return name.contains(".") || name.contains("[") ? nil : String(name)
        }.sorted()
    }

    /// The line of `keyPath`, or of the nearest table above it when the key is not in the file
    /// (a required key that is missing is reported at its table's header).
    public func line(for keyPath: String) -> Int? {
        var path = Substring(keyPath)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            if path.last == "]", let bracket = path.lastIndex(of: "[") {
                path = path[..<bracket]
                continue
            }
            guard let dot = path.lastIndex(of: ".") else { return nil }
            path = path[..<dot]
        }
        return nil
    }
}
