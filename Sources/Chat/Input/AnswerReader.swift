import XMPPCore

/// Reads a contact's answer to one question as the values of a form field.
///
/// Only the shape is read here (a number from the list, yes or no, one value per line); the
/// values then go through the same validation as a form submitted by a client with a command
/// UI, so both front ends accept and refuse alike.
public enum AnswerReader {
    public enum Reading: Sendable, Equatable {
        case values([String])
        /// An empty answer or `.`: the field's default.
        case useDefault
        case problem(String)
    }

    public static func read(_ text: String, for field: FormField) -> Reading {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty || trimmed == "." { return .useDefault }
        switch field.effectiveType {
        case .boolean:
            guard let value = yesOrNo(trimmed) else { return .problem("answer yes or no") }
            return .values([value ? "true" : "false"])
        case .listSingle:
            if case .ambiguous(let values) = OptionMatcher.match(trimmed, in: field.options), field.validation?.method != .open {
                return .problem(ambiguity(trimmed, values, of: field))
            }
            return option(trimmed, of: field).map { .values([$0]) } ?? .problem(notAnOption(field))
        case .listMulti:
            var values: [String] = []
            for item in items(of: trimmed, commas: true) {
                guard let value = option(item, of: field) else { return .problem("'\(item.abbreviated(to: 40))': \(notAnOption(field))") }
                if !values.contains(value) { values.append(value) }
            }
            return .values(values)
        case .jidMulti:
            return .values(unique(items(of: trimmed, commas: true)))
        case .textMulti:
            // Free text: commas belong to it; each line is one value.
            return .values(text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init))
        default:
            return .values([trimmed])
        }
    }

    /// yes/no in the words people type (and the 1/0, true/false forms clients send).
    public static func yesOrNo(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "y", "true", "1", "on", "ok": true
        case "no", "n", "false", "0", "off": false
        default: nil
        }
    }

    /// An option by its value, its number in the list, its label or a short form of either
    /// (`OptionMatcher`); an open list (XEP-0122 `open`) also takes values outside the options.
    static func option(_ text: String, of field: FormField) -> String? {
        if case .option(let value) = OptionMatcher.match(text, in: field.options) { return value }
        return field.validation?.method == .open ? text : nil
    }

    private static func ambiguity(_ text: String, _ values: [String], of field: FormField) -> String {
        let names = values.map { value in field.options.first { $0.value == value }?.label ?? value }
        return "'\(text.abbreviated(to: 40))' could be \(names.joined(separator: " or ")); type its number"
    }

    private static func notAnOption(_ field: FormField) -> String {
        field.options.isEmpty ? "there is nothing to choose from" : "answer with a number from 1 to \(field.options.count), or a value from the list"
    }

    /// One value per line, or comma-separated on one line.
    private static func items(of text: String, commas: Bool) -> [String] {
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard commas, lines.count == 1 else { return lines }
        return lines[0].split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
