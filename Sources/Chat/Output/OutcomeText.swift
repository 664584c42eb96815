import XMPPCore

/// A command's result as one chat message: notes as text, result forms as `Label: value`
/// lines, tables as aligned columns in a ``` block (XEP-0393 message styling, which
/// Conversations, Monal and Dino render in a fixed-width font), all within one message's
/// budget. What does not fit is counted, and the link opens the full answer in a client with
/// command support.
public struct OutcomeText: Sendable {
    /// The most UTF-8 bytes of one message body.
    public var budget: Int
    /// The longest cell a table shows; longer ones end in `…`.
    public var cellWidth: Int

    public static let standard = OutcomeText()

    public init(budget: Int = 6 * 1024, cellWidth: Int = 40) {
        self.budget = budget
        self.cellWidth = cellWidth
    }

    /// `link` opens the command in a client with a command UI (`xmpp:…?command;node=…`).
    public func note(_ text: String, severity: NoteSeverity = .info) -> String {
        let prefix: String
        switch severity {
        case .info: prefix = ""
        case .warn: prefix = "Warning: "
        case .error: prefix = "Error: "
        }
        return cut(prefix + text)
    }

    public enum NoteSeverity: Sendable {
        case info, warn, error
    }

    /// A result form: its title, instructions, fields and table.
    public func form(_ form: DataForm, link: String?) -> String {
        var lines: [String] = []
        if let title = form.title, !title.isEmpty { lines.append("*\(title)*") }
        lines += form.instructions.filter { !$0.isEmpty }
        for field in form.fields {
            switch field.effectiveType {
            case .hidden:
                continue
            case .fixed:
                lines += field.values
            default:
                let label = field.label ?? field.variable ?? ""
                let shown = field.effectiveType == .boolean
                    ? field.values.map { AnswerReader.yesOrNo($0) == true ? "yes" : "no" }
                    : field.values
                if shown.count > 1 {
                    lines.append("\(label):")
                    lines += shown.map { "  " + $0 }
                } else {
                    lines.append("\(label): \(shown.first ?? "")")
                }
            }
        }
        let head = cut(lines.joined(separator: "\n"))
        guard let columns = form.reported, !columns.isEmpty else { return head.isEmpty ? "Done." : head }
        let room = budget - head.utf8.count - 2
        let table = self.table(columns: columns, rows: form.items, room: room, link: link)
        return head.isEmpty ? table : head + "\n" + table
    }

    /// Aligned columns in a preformatted block; rows that do not fit are counted.
    func table(columns: [FormField], rows: [[FormField]], room: Int, link: String?) -> String {
        let names = columns.map { $0.label ?? $0.variable ?? "" }
        let cells: [[String]] = rows.map { row in
            columns.map { column in
                let values = row.first { $0.variable == column.variable }?.values ?? []
                return clip(values.joined(separator: ", "))
            }
        }
        var widths = names.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let numeric = columns.indices.map { index in
            !cells.isEmpty && cells.allSatisfy { Self.looksNumeric($0[index]) }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return numeric[index] ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var block = ["```", line(names)]
        var used = block.joined(separator: "\n").utf8.count + 4
        var shown = 0
        // Room for the closing fence and the "more rows" line.
        let reserve = 200 + (link?.utf8.count ?? 0)
        for row in cells {
            let text = line(row)
            guard used + text.utf8.count + 1 + reserve <= room else { break }
            block.append(text)
            used += text.utf8.count + 1
            shown += 1
        }
        block.append("```")
        let hidden = cells.count - shown
        if hidden > 0 {
            var more = "… \(hidden) more row\(hidden == 1 ? "" : "s")"
            if let link { more += " — the full table in a client with command support: \(link)" }
            block.append(more)
        } else if cells.isEmpty {
            block.insert("(no rows)", at: block.count - 1)
        }
        return block.joined(separator: "\n")
    }

    /// The text within the budget, cut between characters with a count of what was left out.
    public func cut(_ text: String) -> String {
        guard text.utf8.count > budget else { return text }
        var kept = 0
        var end = text.startIndex
        let room = budget - 60
        for index in text.indices {
            let size = text[index].utf8.count
            guard kept + size <= room else { break }
            kept += size
            end = text.index(after: index)
        }
        return String(text[..<end]) + "\n… (\(text.utf8.count - kept) more bytes not shown)"
    }

    private func clip(_ cell: String) -> String {
        // One line per row: a newline in a cell would break the columns.
        let flat = cell.replacingNewlines()
        return flat.count > cellWidth ? String(flat.prefix(cellWidth - 1)) + "…" : flat
    }

    static func looksNumeric(_ cell: String) -> Bool {
        var text = Substring(cell)
        if text.hasSuffix("%") { text = text.dropLast() }
        for unit in ["K", "M", "G", "T", "KiB", "MiB", "GiB", "TiB", "kB", "MB", "GB", " %"] where text.hasSuffix(unit) {
            text = text.dropLast(unit.count)
            break
        }
        return !text.isEmpty && Double(text) != nil
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text.removeLast() }
        return String(text)
    }

    func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
