/// A table's keys as a Markdown table (docs/configuration.md, docs/commands-d.md).
public enum MarkdownReference {
    public static func table(_ table: ConfigTable) -> String {
        var lines = ["| Key | Type | Default | Meaning |", "| --- | --- | --- | --- |"]
        for row in table.rows {
            let names = row.names.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("| " + [names, row.type, row.defaultText, row.summary].map(cell).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Text fit for one cell: a `|` would end the cell (GitHub's tables split on it even
    /// inside code spans), a line break would end the row.
    static func cell(_ markdown: String) -> String {
        var text = ""
        var previous: Character?
        for character in markdown {
            switch character {
            case "|" where previous != "\\": text += "\\|"
            case "\n": text += " "
            default: text.append(character)
            }
            previous = character
        }
        return text
    }
}
