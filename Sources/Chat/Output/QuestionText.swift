import XMPPCore

/// A form field as a chat question: its label and description, the expected kind of answer,
/// numbered options, and the default that an empty answer (or `.`) keeps.
public enum QuestionText {
    /// `position` is (this question, of how many), shown when there is more than one.
    public static func text(for field: FormField, position: (Int, Int)? = nil) -> String {
        var lines: [String] = []
        let name = field.label ?? field.variable ?? "Value"
        var head = name
        if let (index, count) = position, count > 1 { head += " (\(index) of \(count))" }
        if let description = field.description, !description.isEmpty { head += ": " + description }
        lines.append(head.hasSuffix("?") || head.hasSuffix(":") ? head : head + "?")

        switch field.effectiveType {
        case .listSingle, .listMulti:
            lines += optionLines(field.options)
        default:
            break
        }
        let hint = hint(for: field)
        if !hint.isEmpty { lines.append(hint) }
        return lines.joined(separator: "\n")
    }

    /// "1. Label (value)", or the value alone when the label says nothing more.
    static func optionLines(_ options: [FormField.Option]) -> [String] {
        options.enumerated().map { number, option in
            let label = option.label.flatMap { $0 == option.value || $0.isEmpty ? nil : $0 }
            return "\(number + 1). " + (label.map { "\($0) (\(option.value))" } ?? option.value)
        }
    }

    /// What to type, and what an empty answer does.
    static func hint(for field: FormField) -> String {
        var parts: [String] = []
        switch field.effectiveType {
        case .boolean:
            parts.append("Answer yes or no")
        case .listSingle:
            parts.append("Answer with a number" + (field.validation?.method == .open ? " or any value" : ""))
        case .listMulti:
            parts.append("Answer with numbers, one per line or separated by commas")
        case .jidMulti:
            parts.append("Addresses, one per line or separated by commas")
        case .textMulti:
            parts.append("One value per line")
        case .jidSingle:
            parts.append("An address (user@example.org)")
        default:
            if let expected = expectation(field.validation) { parts.append(expected) }
        }
        let defaults = field.values.filter { !$0.isEmpty }
        if !defaults.isEmpty {
            let shown = field.effectiveType == .boolean
                ? (AnswerReader.yesOrNo(defaults[0]) == true ? "yes" : "no")
                : defaults.map { optionName($0, in: field) }.joined(separator: ", ")
            parts.append("empty or . keeps \(shown)")
        } else if !field.isRequired {
            parts.append(". to leave it empty")
        }
        return parts.isEmpty ? "" : "(" + parts.joined(separator: "; ") + ")"
    }

    /// XEP-0122 datatype and range in words: "a whole number from 0 to 100".
    static func expectation(_ validation: FieldValidation?) -> String? {
        guard let validation else { return nil }
        let datatype = validation.datatype
        var noun: String?
        switch datatype {
        case .integer, .long, .int, .short, .byte: noun = "A whole number"
        case .unsignedLong, .unsignedInt, .unsignedShort, .unsignedByte: noun = "A whole number, 0 or more"
        case .double, .decimal, .float: noun = "A number"
        default: break
        }
        switch validation.method {
        case .range(let min, let max):
            let bounds = [min.map { "at least \($0)" }, max.map { "at most \($0)" }].compactMap { $0 }.joined(separator: " and ")
            return bounds.isEmpty ? noun : (noun ?? "A value") + ", " + bounds
        case .regex(let pattern):
            return (noun ?? "A value") + " matching \(pattern)"
        case .basic, .open:
            return noun
        }
    }

    private static func optionName(_ value: String, in field: FormField) -> String {
        guard let option = field.options.first(where: { $0.value == value }), let label = option.label, !label.isEmpty else { return value }
        return label
    }
}
