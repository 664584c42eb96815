import Commands
import XMPPCore

/// A stage of a command as chat text: what it says (title, instructions, note, fixed fields),
/// then its question, its yes/no, or the state and buttons of a loop.
enum StageText {
    /// The lines that introduce a stage. `instructions` false when they are the question itself.
    static func header(_ stage: CommandStage, instructions: Bool = true) -> [String] {
        var lines: [String] = []
        if let title = stage.form.title, !title.isEmpty { lines.append("*\(title)*") }
        if let note = stage.note, !note.isEmpty { lines.append(note) }
        if instructions { lines += stage.form.instructions.filter { !$0.isEmpty } }
        for field in stage.form.fields where field.effectiveType == .fixed {
            let text = field.values.joined(separator: "\n")
            guard !text.isEmpty else { continue }
            if let label = field.label, !label.isEmpty { lines.append("\(label): \(text)") } else { lines.append(text) }
        }
        return lines
    }

    static func confirmation(_ question: String) -> String {
        question + "\n(yes or no; cancel stops the command)"
    }

    /// The state a loop shows and its buttons, numbered, with the words that work.
    static func loop(_ stage: CommandStage, field: FormField, name: String) -> String {
        var lines = header(stage)
        lines += QuestionText.optionLines(field.options)
        let words = field.options.prefix(3).map(\.value).joined(separator: ", ")
        let finish = stage.canComplete || stage.isFinal ? "done closes \(name)" : "done or cancel closes \(name)"
        lines.append("(Type a number or a button\(words.isEmpty ? "" : " (\(words) …)"); \(finish).)")
        return lines.joined(separator: "\n")
    }
}
