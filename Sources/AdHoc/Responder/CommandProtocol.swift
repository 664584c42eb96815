import Commands
import XMPPCore

public enum CommandNamespace {
    public static let commands = "http://jabber.org/protocol/commands"
}

/// The actions of XEP-0050 §3.4.
enum CommandAction: String, Sendable {
    case execute, cancel, prev, next, complete
}

/// A parsed `<command/>` request.
struct CommandRequest: Sendable {
    var node: String
    var sessionID: String?
    var action: CommandAction
    var form: DataForm?

    init(_ payload: XMLElement) throws(StanzaError) {
        guard payload.name == "command", payload.namespace == CommandNamespace.commands else {
            throw StanzaError(.badRequest, text: "expected <command xmlns='\(CommandNamespace.commands)'/>")
        }
        guard let node = payload[attribute: "node"], !node.isEmpty else {
            throw StanzaError(.badRequest, text: "the command has no node")
        }
        self.node = node
        sessionID = payload[attribute: "sessionid"].flatMap { $0.isEmpty ? nil : $0 }
        // No action at all means execute (XEP-0050 §3.4).
        if let text = payload[attribute: "action"] {
            guard let action = CommandAction(rawValue: text) else { throw CommandError.malformedAction(text) }
            self.action = action
        } else {
            action = .execute
        }
        if let element = payload.child("x", namespace: DataForm.namespace) {
            do {
                form = try DataForm(element: element)
            } catch {
                throw CommandError.badPayload(error.description)
            }
        }
    }
}

/// The error conditions of XEP-0050 §4.6, as stanza errors.
enum CommandError {
    static func condition(_ name: String) -> XMLElement { XMLElement(name, namespace: CommandNamespace.commands) }

    static func malformedAction(_ action: String) -> StanzaError {
        StanzaError(.badRequest, text: "unknown action '\(action.abbreviated())'", applicationCondition: condition("malformed-action"))
    }

    static func badAction(_ reason: String) -> StanzaError {
        StanzaError(.badRequest, text: reason, applicationCondition: condition("bad-action"))
    }

    static func badPayload(_ reason: String) -> StanzaError {
        StanzaError(.badRequest, text: reason, applicationCondition: condition("bad-payload"))
    }

    static let badSessionID = StanzaError(.badRequest, text: "unknown session", applicationCondition: condition("bad-sessionid"))

    static func sessionExpired(_ end: SessionEnd) -> StanzaError {
        StanzaError(.notAllowed, text: "the command \(end)", applicationCondition: condition("session-expired"))
    }
}

/// A `<command/>` answer.
struct CommandReply {
    enum Status: String {
        case executing, completed, canceled
    }

    var node: String
    var sessionID: String
    var status: Status
    var actions: XMLElement?
    var note: (text: String, severity: CommandOutcome.Severity)?
    var form: DataForm?

    init(node: String, sessionID: String, status: Status) {
        self.node = node
        self.sessionID = sessionID
        self.status = status
    }

    /// A stage waiting for input: `<actions execute=…>` names an action it lists. A refused
    /// submission shows its stage again with `problems` as an error note.
    static func asking(
        node: String, sessionID: String, stage: CommandStage, canGoBack: Bool, problems: [FieldProblem] = [], budget: ReplyBudget
    ) -> CommandReply {
        let stage = budget.limit(stage)
        var reply = CommandReply(node: node, sessionID: sessionID, status: .executing)
        let forward = stage.isFinal ? "complete" : "next"
        var actions = XMLElement("actions", namespace: CommandNamespace.commands, ["execute": forward])
        if canGoBack { actions.append(XMLElement("prev", namespace: CommandNamespace.commands)) }
        actions.append(XMLElement(forward, namespace: CommandNamespace.commands))
        if !stage.isFinal, stage.canComplete { actions.append(XMLElement("complete", namespace: CommandNamespace.commands)) }
        reply.actions = actions
        if problems.isEmpty {
            reply.note = stage.note.map { ($0, .info) }
        } else {
            reply.note = (budget.limit(note: Self.correction(problems)), .error)
        }
        var form = stage.form
        form.kind = .form
        reply.form = form
        return reply
    }

    /// One line per field: which one, and why.
    static func correction(_ problems: [FieldProblem]) -> String {
        let lead = problems.count == 1 ? "Please correct this field:" : "Please correct these fields:"
        return ([lead] + problems.map(\.description)).joined(separator: "\n")
    }

    /// The end of a command with exactly one payload; never empty.
    static func completed(node: String, sessionID: String, outcome: CommandOutcome, budget: ReplyBudget) -> CommandReply {
        var reply = CommandReply(node: node, sessionID: sessionID, status: .completed)
        switch budget.limit(outcome) {
        case .note(let text, let severity):
            reply.note = (text.isEmpty ? "Done." : text, severity)
        case .failure(let text):
            reply.note = (text.isEmpty ? "The command failed." : text, .error)
        case .form(var form):
            form.kind = .result
            reply.form = form
        }
        return reply
    }

    var element: XMLElement {
        var command = XMLElement("command", namespace: CommandNamespace.commands, [
            "node": node, "sessionid": sessionID, "status": status.rawValue,
        ])
        if let actions { command.append(actions) }
        if let note {
            command.append(XMLElement("note", namespace: CommandNamespace.commands, ["type": note.severity.rawValue], children: [.text(note.text)]))
        }
        if let form { command.append(form.element) }
        return command
    }
}
