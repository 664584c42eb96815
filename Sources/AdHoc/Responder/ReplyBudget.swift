import XMPPCore

/// Keeps one command answer small enough for servers and phones.
///
/// Providers return whatever a program or a D-Bus service produced; a reply past the server's
/// stanza limit (Prosody's default is 256 KiB) would cost the bot its connection, and phones
/// choke long before that. So every answer is trimmed here, in one place, and says it was:
/// notes end with a marker, forms get a `fixed` field naming what was left out (a field, not a
/// second payload: clients show only the first payload of a completion).
public struct ReplyBudget: Sendable, Equatable {
    /// Bytes of one answer's form or note as serialized: text once escaped, and markup.
    public var totalBytes: Int
    /// Characters of one value (a note, one field value, one table cell).
    public var valueBytes: Int

    /// What every answer is held to: well under Prosody's 256 KiB stanza limit.
    public static let standard = ReplyBudget()

    public init(totalBytes: Int = 128 * 1024, valueBytes: Int = 16 * 1024) {
        self.totalBytes = totalBytes
        self.valueBytes = valueBytes
    }

    public func limit(_ outcome: CommandOutcome) -> CommandOutcome {
        switch outcome {
        case .note(let text, let severity): .note(limit(note: text), severity: severity)
        case .failure(let text): .failure(limit(note: text))
        case .form(let form): .form(limit(form))
        }
    }

    public func limit(_ stage: CommandStage) -> CommandStage {
        var stage = stage
        stage.form = limit(stage.form)
        stage.note = stage.note.map { limit(note: $0) }
        return stage
    }

    func limit(note text: String) -> String {
        let cap = min(totalBytes, valueBytes * 4)
        let kept = XMLEscaping.prefix(of: text, escapedBytes: cap)
        guard kept.endIndex != text.endIndex else { return text }
        return String(kept) + "\n… (\(text.utf8.count - kept.utf8.count) more bytes not shown)"
    }

    func limit(_ form: DataForm) -> DataForm {
        if clearlyFits(form) { return form }
        var remaining = totalBytes
        var trimmedValues = 0
        var form = form

        // What the serializer writes, not only the values: escaping, and the markup of every
        // field and value, which for a table of short cells outweighs the text.
        func markup(of field: FormField) -> Int {
            Self.fieldMarkup + XMLEscaping.escapedByteCount(field.variable ?? "") + XMLEscaping.escapedByteCount(field.label ?? "")
        }
        func fit(_ value: String) -> String? {
            guard remaining > 0 else { return nil }
            var kept = value
            if kept.utf8.count > valueBytes {
                kept = Self.prefix(of: kept, bytes: valueBytes) + "…"
                trimmedValues += 1
            }
            remaining -= Self.valueMarkup + XMLEscaping.escapedByteCount(kept)
            return kept
        }

        var droppedValues = 0
        form.fields = form.fields.map { field in
            var field = field
            remaining -= markup(of: field)
            let values = field.values
            field.values = []
            for value in values {
                guard let kept = fit(value) else { droppedValues += 1; continue }
                field.values.append(kept)
            }
            return field
        }
        for column in form.reported ?? [] { remaining -= markup(of: column) }
        var keptItems: [[FormField]] = []
        for item in form.items {
            guard remaining > 0 else { break }
            remaining -= Self.itemMarkup
            keptItems.append(item.map { cell in
                var cell = cell
                remaining -= markup(of: cell)
                cell.values = cell.values.map { fit($0) ?? "" }
                return cell
            })
        }
        let droppedRows = form.items.count - keptItems.count
        form.items = keptItems

        var notes: [String] = []
        if droppedRows > 0 { notes.append("showing \(keptItems.count) of \(keptItems.count + droppedRows) rows") }
        if droppedValues > 0 { notes.append("\(droppedValues) values left out") }
        if trimmedValues > 0 { notes.append("\(trimmedValues) long values cut short") }
        if !notes.isEmpty {
            form.fields.append(FormField("adhocd-truncated", type: .fixed, label: "Output truncated",
                                         values: ["Output truncated: " + notes.joined(separator: ", ") + "."]))
        }
        return form
    }

    /// True when the form is within budget even if every byte needed escaping (5 bytes at
    /// most, `&amp;`): nearly every answer, which then passes without being copied.
    private func clearlyFits(_ form: DataForm) -> Bool {
        var size = 0
        func add(_ field: FormField) -> Bool {
            size += Self.fieldMarkup + ((field.variable?.utf8.count ?? 0) + (field.label?.utf8.count ?? 0)) * 5
            for value in field.values {
                let bytes = value.utf8.count
                guard bytes <= valueBytes else { return false }
                size += Self.valueMarkup + bytes * 5
            }
            return size <= totalBytes
        }
        for field in form.fields where !add(field) { return false }
        for column in form.reported ?? [] where !add(column) { return false }
        for item in form.items {
            size += Self.itemMarkup
            for cell in item where !add(cell) { return false }
        }
        return true
    }

    /// `<field var='' label='' type='text-single'></field>`, `<value></value>`, `<item></item>`.
    static let fieldMarkup = 48
    static let valueMarkup = 15
    static let itemMarkup = 13

    /// The longest prefix of `text` within `bytes` UTF-8 bytes, cut between characters.
    static func prefix(of text: String, bytes: Int) -> String {
        var count = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf8.count
            guard count + size <= bytes else { break }
            count += size
            end = text.index(after: index)
        }
        return String(text[..<end])
    }
}
