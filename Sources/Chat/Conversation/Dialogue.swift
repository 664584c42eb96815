import Commands
import XMPPCore

/// One contact's command in progress: which session, which stage, what is being asked.
struct Dialogue: Sendable {
    var run: Run
    var stage: CommandStage
    var canGoBack: Bool
    var step: Step

    /// The command's run across its stages.
    struct Run: Sendable {
        var node: String
        var name: String
        var sessionID: String
        /// Values typed with the command line and not used yet (for later stages).
        var inline: InlineValues
        /// Whether some stage was submitted already: a cancel then cannot say "nothing was run".
        var hasSubmitted = false
        /// Remarks for the next message (a value the line gave that was not used).
        var notes: [String] = []
    }

    enum Step: Sendable {
        case fields(FieldQueue)
        case confirmation(variable: String?, question: String)
        case loop(FormField)
    }
}

/// The questions of one stage, the one being asked, and the answers so far.
struct FieldQueue: Sendable {
    var questions: [FormField]
    var index = 0
    /// Normalised values by field, checked one by one with the engine.
    var collected: [String: [String]] = [:]

    var current: FormField? { index < questions.count ? questions[index] : nil }
}

/// What the command line carried besides the command: `var=value` pairs, and the rest of the
/// line as typed, for a command with one parameter.
struct InlineValues: Sendable, Equatable {
    var assignments: [TypedLine.Assignment] = []
    /// The rest of the line as typed, when it is not a list of assignments.
    var positional: String?
    /// Words beside assignments, which no field can take.
    var strayWords: [String] = []

    init(assignments: [TypedLine.Assignment] = [], positional: String? = nil, strayWords: [String] = []) {
        self.assignments = assignments
        self.positional = positional
        self.strayWords = strayWords
    }

    /// Reads the rest of a command line: assignments if it has any (then other words are
    /// stray), else the whole rest as one value. A line whose quotes do not pair is one value.
    init(rest: String) {
        guard !rest.isEmpty else { return }
        guard let arguments = try? TypedLine(head: "", rest: rest).arguments(), !arguments.assignments.isEmpty else {
            positional = rest
            return
        }
        assignments = arguments.assignments
        strayWords = arguments.words
    }

    var isEmpty: Bool { assignments.isEmpty && positional == nil && strayWords.isEmpty }

    /// For the refusal hook: what the line would have filled in.
    var submitted: [String: [String]] {
        assignments.reduce(into: [:]) { $0[$1.variable, default: []].append($1.value) }
    }

    /// Takes the values for these variables out; the last one typed wins.
    mutating func take(_ variables: Set<String>) -> [String: String] {
        var taken: [String: String] = [:]
        for assignment in assignments where variables.contains(assignment.variable) { taken[assignment.variable] = assignment.value }
        assignments.removeAll { variables.contains($0.variable) }
        return taken
    }

    /// A line naming values of the command line no stage took, or nil.
    func unusedNote(name: String) -> String? {
        var parts: [String] = []
        if !assignments.isEmpty {
            let names = assignments.map { "\($0.variable)=\($0.value.abbreviated(to: 40))" }.joined(separator: ", ")
            parts.append("(Not used: \(names): \(name) asks nothing by that name.)")
        }
        if let positional { parts.append("('\(positional.abbreviated(to: 40))' was not used: \(name) takes no value there.)") }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }

    /// Takes the words beside assignments out, as a remark: no field can take them.
    mutating func takeStrayWords() -> String? {
        guard !strayWords.isEmpty else { return nil }
        defer { strayWords = [] }
        let words = strayWords.map { "'\($0.abbreviated(to: 40))'" }.joined(separator: ", ")
        return "(Not used: \(words). Values go as name=value; a confirmation is always asked.)"
    }
}
