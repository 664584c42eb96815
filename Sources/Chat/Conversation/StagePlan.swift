import Commands
import XMPPCore

/// How a chat asks for one stage of a command: the same stage a client with a command UI shows
/// as a form, turned into a conversation.
enum StagePlan: Sendable, Equatable {
    /// A secret (`text-private`) field: never asked over chat, whose history servers and
    /// clients keep. The command needs a client with a command UI.
    case secret(FormField)
    /// A yes/no question: one boolean with instructions (a commands.d `confirm`, a systemd
    /// restart), or a stage with nothing to fill in, which a client would offer to go on from.
    /// Never answered from the command line: always asked.
    case confirmation(variable: String?, question: String)
    /// A loop such as the media remote: state shown, its one list as buttons, `done` leaves.
    case loop(FormField)
    /// Fields asked one at a time.
    case fields([FormField])

    init(_ stage: CommandStage, name: String) {
        let askable = Self.askable(stage.form)
        if let secret = askable.first(where: { $0.effectiveType == .textPrivate }) {
            self = .secret(secret)
        } else if askable.isEmpty {
            let question = stage.form.instructions.filter { !$0.isEmpty }.joined(separator: "\n")
            self = .confirmation(variable: nil, question: question.isEmpty ? "Go on with \(name)?" : question)
        } else if askable.count == 1, askable[0].effectiveType == .boolean, let variable = askable[0].variable,
                  stage.form.instructions.contains(where: { !$0.isEmpty }) {
            self = .confirmation(variable: variable, question: stage.form.instructions.filter { !$0.isEmpty }.joined(separator: "\n"))
        } else if !stage.isFinal, stage.canComplete, askable.count == 1, askable[0].effectiveType == .listSingle {
            self = .loop(askable[0])
        } else {
            self = .fields(askable)
        }
    }

    /// Fields a person fills in: not hidden, not fixed, and named.
    static func askable(_ form: DataForm) -> [FormField] {
        form.fields.filter { field in
            field.variable != nil && field.effectiveType != .hidden && field.effectiveType != .fixed
        }
    }
}
