import XMPPCore

/// One pass over a form that keeps what fits in a reply budget, in order, and says what it
/// left out. What is counted is what the serializer writes: text once escaped, and markup.
struct FormTrimmer {
    let budget: ReplyBudget
    private var remaining: Int
    private var cutTexts = 0
    private var cutLabels = 0
    private var droppedValues = 0
    private var droppedOptions = 0

    init(budget: ReplyBudget) {
        self.budget = budget
        remaining = budget.totalBytes - ReplyBudget.formMarkup - Self.markerReserve
    }

    /// Room kept for the field that says the form was trimmed.
    static let markerReserve = 256

    mutating func trim(_ form: DataForm) -> DataForm {
        var form = form
        form.title = form.title.map { label($0, markup: ReplyBudget.titleMarkup) }
        form.instructions = form.instructions.compactMap { text($0, markup: ReplyBudget.instructionsMarkup) }
        form.fields = form.fields.map { field($0) }
        form.reported = form.reported.map { $0.map { field($0) } }
        var keptItems: [[FormField]] = []
        for item in form.items {
            guard remaining > 0 else { break }
            remaining -= ReplyBudget.itemMarkup
            keptItems.append(item.map { field($0, keepingEveryCell: true) })
        }
        let droppedRows = form.items.count - keptItems.count
        form.items = keptItems

        var notes: [String] = []
        if droppedRows > 0 { notes.append("showing \(keptItems.count) of \(keptItems.count + droppedRows) rows") }
        if droppedValues > 0 { notes.append("\(droppedValues) values left out") }
        if droppedOptions > 0 { notes.append("\(droppedOptions) choices left out") }
        if cutTexts > 0 { notes.append("\(cutTexts) long values cut short") }
        if cutLabels > 0 { notes.append("\(cutLabels) long labels cut short") }
        if !notes.isEmpty {
            form.fields.append(FormField("adhocd-truncated", type: .fixed, label: "Output truncated",
                                         values: ["Output truncated: " + notes.joined(separator: ", ") + "."]))
        }
        return form
    }

    /// A field's texts cut, its values and options kept while they fit. A table cell keeps one
    /// (maybe empty) value, so rows keep their shape.
    private mutating func field(_ field: FormField, keepingEveryCell: Bool = false) -> FormField {
        var field = field
        remaining -= Self.markup(of: field)
        field.label = field.label.map { label($0, markup: Self.labelAttributeMarkup) }
        field.description = field.description.map { label($0, markup: ReplyBudget.descriptionMarkup) }
        let values = field.values
        field.values = []
        for value in values {
            if let kept = text(value, markup: ReplyBudget.valueMarkup) {
                field.values.append(kept)
            } else if keepingEveryCell {
                field.values.append("")
            } else {
                droppedValues += 1
            }
        }
        // An option's value is what the requester sends back: it is kept whole or not at all.
        let options = field.options
        field.options = []
        for option in options {
            let optionLabel = option.label.map { budget.limit(label: $0) }
            let cost = ReplyBudget.optionMarkup + ReplyBudget.valueMarkup + XMLEscaping.escapedByteCount(option.value)
                + (optionLabel.map { Self.labelAttributeMarkup + ReplyBudget.attributeBytes($0) } ?? 0)
            guard remaining > cost, option.value.utf8.count <= budget.valueBytes else {
                droppedOptions += 1
                continue
            }
            if optionLabel != option.label { cutLabels += 1 }
            remaining -= cost
            field.options.append(FormField.Option(option.value, label: optionLabel))
        }
        return field
    }

    /// `<field></field>` with the attributes and children this field has, labels and values aside.
    static func markup(of field: FormField) -> Int {
        var bytes = 17 + ReplyBudget.validationMarkup(field.validation)
        if let variable = field.variable { bytes += 7 + ReplyBudget.attributeBytes(variable) }
        if let type = field.type { bytes += 8 + type.rawValue.utf8.count }
        if field.isRequired { bytes += 11 }
        return bytes
    }

    /// ` label=''`.
    static let labelAttributeMarkup = 9

    /// A title, label or description, cut to the label budget.
    private mutating func label(_ text: String, markup: Int) -> String {
        let kept = budget.limit(label: text)
        if kept != text { cutLabels += 1 }
        remaining -= markup + ReplyBudget.attributeBytes(kept)
        return kept
    }

    /// A value or instruction cut to the value budget; nil once the form's budget is spent.
    private mutating func text(_ value: String, markup: Int) -> String? {
        guard remaining > 0 else { return nil }
        var kept = value
        let cut = XMLEscaping.prefix(of: value, escapedBytes: budget.valueBytes)
        if cut.endIndex != value.endIndex {
            kept = String(cut) + "…"
            cutTexts += 1
        }
        remaining -= markup + XMLEscaping.escapedByteCount(kept)
        return kept
    }
}
