import Commands
import Logging
import XMPPCore

/// The XEP-0050 front end over the command core: reads `<command/>` requests, drives the
/// engine, and answers with `<command/>` payloads or stanza errors; serves disco for nodes.
///
/// Socket-free: the connection layer hands it the payload of an IQ set and the sender, and
/// sends back what it returns. Sessions are bound to the requester's full JID, as XEP-0050
/// expects of a client.
public final class CommandResponder: Sendable {
    public let engine: CommandEngine
    private let budget: ReplyBudget

    public init(engine: CommandEngine, budget: ReplyBudget = .standard) {
        self.engine = engine
        self.budget = budget
    }

    /// Features the bot advertises for this responder.
    public static let features = [CommandNamespace.commands, DataForm.namespace, FieldValidation.namespace]

    // MARK: Discovery

    /// disco#items for the commands node: the commands this requester may run, each item's jid
    /// our own full JID, names and count held to the reply budget.
    public func discoItems(for requester: JID, ownJID: JID) -> [DiscoItem] {
        // Lazily: with thousands of commands only those within the budget become items.
        budget.limit(engine.available(for: requester).lazy.map { DiscoItem(jid: ownJID, node: $0.node, name: $0.name) }, ownJID: ownJID)
    }

    /// disco#info on a node: the command list, or a command this requester may run. Nil for
    /// anything else, a command the requester may not run included: both answer item-not-found.
    public func discoInfo(node: String, requester: JID) -> DiscoInfo? {
        if node == CommandNamespace.commands {
            return DiscoInfo(identities: [DiscoIdentity(category: "automation", type: "command-list", name: "Commands")], features: [])
        }
        guard let command = engine.command(node, for: requester) else { return nil }
        return DiscoInfo(
            identities: [DiscoIdentity(category: "automation", type: "command-node", name: budget.limit(label: command.name))],
            features: [CommandNamespace.commands, DataForm.namespace])
    }

    // MARK: Execution

    /// Answers one `<command/>` request from `requester` (a full JID). Only a malformed request
    /// or one the core cannot serve is an IQ error; a refused submission is a stage again.
    public func handle(_ payload: XMLElement, from requester: JID) async throws(StanzaError) -> XMLElement {
        let request = try CommandRequest(payload)
        do {
            return reply(to: try await answer(request, from: requester)).element
        } catch {
            throw Self.stanzaError(for: error)
        }
    }

    private func answer(_ request: CommandRequest, from requester: JID) async throws(CommandFailure) -> CommandAnswer {
        let submission = request.form ?? DataForm(.submit)
        guard let sessionID = request.sessionID else {
            switch request.action {
            case .cancel, .prev:
                // Nothing was started: a cancel ends nothing, a prev has nowhere to go. The node
                // is still checked first, so a stranger learns nothing from either.
                let command = try await engine.resolve(request.node, for: requester, submitted: submission.submittedValues)
                guard request.action == .cancel else { throw .noPreviousStage }
                return CommandAnswer(node: command.node, sessionID: SessionID.make(), state: .canceled)
            case .execute, .next, .complete:
                return try await engine.start(request.node, for: requester, ownership: .fullJID, submitted: submission.submittedValues)
            }
        }
        switch request.action {
        case .cancel:
            return try await engine.cancel(sessionID, from: requester, node: request.node)
        case .prev:
            return try await engine.back(sessionID, from: requester, node: request.node)
        case .execute, .next, .complete:
            // A form of type cancel is a submission too (XEP-0050 §4.4); only the action cancels.
            let action: SubmitAction? = switch request.action {
            case .next: .next
            case .complete: .complete
            default: nil
            }
            return try await engine.submit(.form(submission), to: sessionID, from: requester, action: action, node: request.node)
        }
    }

    private func reply(to answer: CommandAnswer) -> CommandReply {
        switch answer.state {
        case .asking(let stage):
            CommandReply.asking(node: answer.node, sessionID: answer.sessionID, stage: stage, canGoBack: answer.canGoBack, budget: budget)
        case .rejected(let stage, let problems):
            CommandReply.asking(
                node: answer.node, sessionID: answer.sessionID, stage: stage, canGoBack: answer.canGoBack, problems: problems, budget: budget)
        case .completed(let outcome):
            CommandReply.completed(node: answer.node, sessionID: answer.sessionID, outcome: outcome, budget: budget)
        case .canceled:
            CommandReply(node: answer.node, sessionID: answer.sessionID, status: .canceled)
        }
    }

    /// The XEP-0050 §4.6 answer for each failure of the core.
    static func stanzaError(for failure: CommandFailure) -> StanzaError {
        switch failure {
        case .notFound: StanzaError(.itemNotFound, text: "no such command")
        case .unknownSession: CommandError.badSessionID
        case .sessionEnded(let end): CommandError.sessionExpired(end)
        case .sessionBusy: StanzaError(.unexpectedRequest, text: failure.description)
        case .noPreviousStage, .notTheLastStage: CommandError.badAction(failure.description)
        case .tooManySessions(let limit): StanzaError(.resourceConstraint, text: limit.description)
        }
    }
}
