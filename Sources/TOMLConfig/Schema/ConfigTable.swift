/// The keys of one configuration table, in reference order: the table's whole vocabulary. A
/// `ConfigSection` read with a schema refuses keys it does not declare (suggesting a declared
/// one), and reading a key the schema does not declare is a bug the first test run reports.
public struct ConfigTable: Sendable {
    /// How the reference and the generated-block markers name the table: `[account]`,
    /// `[[dbus]]`, `[commands.NAME]`, `top level`.
    public let title: String
    public let rows: [KeyRow]
    public let names: Set<String>

    public init(_ title: String, keys: [any DocumentedKey]) {
        self.title = title
        rows = keys.flatMap(\.rows)
        names = Set(rows.flatMap(\.names))
    }

    /// The declared key `text` is probably a misspelling of.
    public func suggestion(for text: String) -> String? {
        closestMatch(to: text, among: rows.flatMap(\.names))
    }
}
