/// A parsed TOML file together with the line each of its keys was written on.
public struct TOMLDocument: Sendable, Equatable {
    public var values: [String: ConfigValue]
    public var keyLines: TOMLKeyLines

    public init(values: [String: ConfigValue], keyLines: TOMLKeyLines = TOMLKeyLines()) {
        self.values = values
        self.keyLines = keyLines
    }
}

/// Where keys are defined, by the dotted path `ConfigSection` uses in its errors
/// (`exec`, `param[2].type`). Lets a check made after parsing say which line to fix.
public struct TOMLKeyLines: Sendable, Equatable {
    private let lines: [String: Int]

    public init(_ lines: [String: Int] = [:]) {
        self.lines = lines
    }

    /// The line of `keyPath`, else of the nearest table that holds it (a key inside an inline
    /// table is found at the line of the table's own key).
    public func line(for keyPath: String) -> Int? {
        var path = Substring(keyPath)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            path = path[..<cut]
        }
        return nil
    }
}
