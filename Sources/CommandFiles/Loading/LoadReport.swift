/// What one scan of commands.d found.
public struct LoadReport: Sendable {
    public var directory: String
    public var definitions: [CommandDefinition] = []
    /// Files that were skipped, each with the line and the fix.
    public var problems: [DefinitionError] = []
    /// Loaded, but worth saying (a program that is not there yet).
    public var warnings: [String] = []
    /// Files that are neither `.toml` nor executable, and so define nothing.
    public var ignored: [String] = []
    public var directoryExists = true

    public init(directory: String) {
        self.directory = directory
    }
}

/// How the command list changed between two loads, for the reload summary.
public struct CommandChanges: Sendable, Equatable {
    public var added: [String] = []
    public var changed: [String] = []
    public var removed: [String] = []

    public init(from old: [CommandDefinition], to new: [CommandDefinition]) {
        let before = Dictionary(old.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Set(new.map(\.node))
        for definition in new {
            if let previous = before[definition.node] {
                if previous != definition { changed.append(definition.node) }
            } else {
                added.append(definition.node)
            }
        }
        removed = old.map(\.node).filter { !after.contains($0) }
    }

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    /// "added a, b; changed c; removed d".
    public var summary: String {
        [("added", added), ("changed", changed), ("removed", removed)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.0) \($0.1.joined(separator: ", "))" }
            .joined(separator: "; ")
    }
}
