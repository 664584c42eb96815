import Commands
import XMPPCore

/// Keeps one command answer small enough for servers and phones.
///
/// Providers return whatever a program or a D-Bus service produced; a reply past the server's
/// stanza limit (Prosody's default is 256 KiB) would cost the bot its connection, and phones
/// choke long before that. So every answer is trimmed here, in one place, and says it was:
/// notes end with a marker, forms get a `fixed` field naming what was left out (a field, not a
/// second payload: clients show only the first payload of a completion). Everything written
/// counts: values, and titles, labels, option labels and names (a D-Bus service chooses its
/// own `Identity`, which becomes a title and a label).
public struct ReplyBudget: Sendable, Equatable {
    /// Bytes of one answer's form or note as serialized: text once escaped, and markup.
    public var totalBytes: Int
    /// Bytes of one value (a note, one field value, one table cell).
    public var valueBytes: Int
    /// Bytes of one title, label, option label, description or command name.
    public var labelBytes: Int

    /// What every answer is held to: well under Prosody's 256 KiB stanza limit.
    public static let standard = ReplyBudget()

    public init(totalBytes: Int = 128 * 1024, valueBytes: Int = 16 * 1024, labelBytes: Int = 512) {
        self.totalBytes = totalBytes
        self.valueBytes = valueBytes
        self.labelBytes = labelBytes
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

    /// A title, label or name cut to `labelBytes` as written in an attribute (quotes escaped).
    func limit(label text: String) -> String {
        guard Self.attributeBytes(text) > labelBytes else { return text }
        // "…" takes 3 bytes; quotes, counted only in attributes, may need a few characters more.
        var kept = XMLEscaping.prefix(of: text, escapedBytes: labelBytes - 3)
        while Self.attributeBytes(String(kept)) > labelBytes - 3 { kept = kept.dropLast() }
        return String(kept) + "…"
    }

    func limit(_ form: DataForm) -> DataForm {
        if clearlyFits(form) { return form }
        var trimmer = FormTrimmer(budget: self)
        return trimmer.trim(form)
    }

    /// disco#items of the commands node: names cut, and items past the budget left out with a
    /// last item saying how many (it points at the list itself, whose info any client can read).
    func limit(_ items: some Collection<DiscoItem>, ownJID: JID) -> [DiscoItem] {
        let reserve = 256
        var remaining = totalBytes - reserve
        var kept: [DiscoItem] = []
        for item in items {
            var item = item
            item.name = item.name.map { limit(label: $0) }
            remaining -= Self.discoItemMarkup + Self.attributeBytes(item.jid.description)
                + Self.attributeBytes(item.node ?? "") + Self.attributeBytes(item.name ?? "")
            guard remaining >= 0 else { break }
            kept.append(item)
        }
        guard kept.count < items.count else { return kept }
        kept.append(DiscoItem(jid: ownJID, node: CommandNamespace.commands, name: "… \(items.count - kept.count) more commands not listed"))
        return kept
    }

    /// True when the form is within budget even if every byte needed escaping (6 bytes at
    /// most, `&apos;`): nearly every answer, which then passes without being copied.
    private func clearlyFits(_ form: DataForm) -> Bool {
        var size = Self.formMarkup
        func add(text: String?, cap: Int, markup: Int) -> Bool {
            guard let text else { return true }
            let bytes = text.utf8.count
            guard bytes <= cap else { return false }
            size += markup + bytes * 6
            return size <= totalBytes
        }
        func add(_ field: FormField) -> Bool {
            size += Self.fieldMarkup + Self.validationMarkup(field.validation) * 6
            guard add(text: field.variable, cap: labelBytes, markup: 0), add(text: field.label, cap: labelBytes, markup: 0),
                  add(text: field.description, cap: labelBytes, markup: Self.descriptionMarkup)
            else { return false }
            for value in field.values where !add(text: value, cap: valueBytes, markup: Self.valueMarkup) { return false }
            for option in field.options {
                guard add(text: option.label, cap: labelBytes, markup: Self.optionMarkup),
                      add(text: option.value, cap: valueBytes, markup: Self.valueMarkup)
                else { return false }
            }
            return size <= totalBytes
        }
        guard add(text: form.title, cap: labelBytes, markup: Self.titleMarkup) else { return false }
        for line in form.instructions where !add(text: line, cap: valueBytes, markup: Self.instructionsMarkup) { return false }
        for field in form.fields where !add(field) { return false }
        for column in form.reported ?? [] where !add(column) { return false }
        for item in form.items {
            size += Self.itemMarkup
            for cell in item where !add(cell) { return false }
        }
        return true
    }

    // Markup around what a form says: `<x xmlns='jabber:x:data' type='form'></x>`,
    // `<field var='' label='' type='text-single'></field>`, `<value></value>`, `<item></item>`,
    // `<option></option>` (a label counted apart), `<title></title>`, `<instructions></instructions>`,
    // `<desc></desc>` with `<required/>`; a disco item's `<item jid='' node='' name=''/>`.
    static let formMarkup = 48
    static let fieldMarkup = 60
    static let valueMarkup = 15
    static let itemMarkup = 13
    static let discoItemMarkup = 40
    static let optionMarkup = 19
    static let titleMarkup = 15
    static let instructionsMarkup = 29
    static let descriptionMarkup = 24

    /// `<validate xmlns='…xdata-validate' datatype='…'><range min='' max=''/></validate>`, and
    /// what the range or pattern says.
    static func validationMarkup(_ validation: FieldValidation?) -> Int {
        guard let validation else { return 0 }
        let method = switch validation.method {
        case .basic, .open: 0
        case .range(let min, let max): (min?.utf8.count ?? 0) + (max?.utf8.count ?? 0)
        case .regex(let pattern): pattern.utf8.count
        }
        return 140 + validation.datatype.rawValue.utf8.count + method
    }

    /// Bytes of `text` escaped in an attribute: as element text, and `'` `"` as entities.
    static func attributeBytes(_ text: String) -> Int {
        XMLEscaping.escapedByteCount(text) + 5 * text.utf8.count { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\"") }
    }
}
