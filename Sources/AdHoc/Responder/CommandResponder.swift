import Logging
import XMPPCore

/// The XEP-0050 responder: lists the commands a requester may run, and drives sessions.
///
/// Socket-free: the connection layer hands it the `<command/>` payload of an IQ set and the
/// sender, and sends back what it returns (a payload or a `StanzaError`). Permission is
/// evaluated against the live roster at every request.
public final class CommandResponder: Sendable {
    public let registry: CommandRegistry
    /// The bot's own account, for `self` rules.
    public let account: JID
    private let directory: any GroupDirectory
    private let sessions: SessionStore
    private let scheduler: any DeadlineScheduler
    private let logger: Logger
    private let onRefusal: CommandRefusalHandler?

    /// `onRefusal` hears of every request refused because the rules do not allow it.
    public init(
        account: JID,
        registry: CommandRegistry,
        directory: any GroupDirectory,
        limits: SessionLimits = SessionLimits(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        scheduler: any DeadlineScheduler = TaskDeadlineScheduler(),
        logger: Logger = Logger(label: "adhocd.adhoc"),
        onRefusal: CommandRefusalHandler? = nil
    ) {
        self.account = account.bare
        self.registry = registry
        self.directory = directory
        self.sessions = SessionStore(limits: limits, now: now)
        self.scheduler = scheduler
        self.logger = logger
        self.onRefusal = onRefusal
    }

    /// Features the bot advertises for this responder.
    public static let features = [CommandNamespace.commands, DataForm.namespace, FieldValidation.namespace]

    // MARK: Discovery

    /// The commands this requester may run, in registry order.
    public func availableCommands(for requester: JID) -> [any Command] {
        registry.commands.filter { isAllowed(requester, $0) }
    }

    /// disco#items for the commands node: each item's jid is our own full JID.
    public func discoItems(for requester: JID, ownJID: JID) -> [DiscoItem] {
        availableCommands(for: requester).map { DiscoItem(jid: ownJID, node: $0.node, name: $0.name) }
    }

    /// disco#info on a node: nil when it is not a command; `forbidden` when this requester may
    /// not run it.
    public func discoInfo(node: String, requester: JID) throws(StanzaError) -> DiscoInfo? {
        guard let command = registry.command(for: node) else { return nil }
        guard isAllowed(requester, command) else { throw StanzaError(.forbidden) }
        return DiscoInfo(
            identities: [DiscoIdentity(category: "automation", type: "command-node", name: command.name)],
            features: [CommandNamespace.commands, DataForm.namespace])
    }

    public func isAllowed(_ requester: JID, _ command: any Command) -> Bool {
        command.policy.permits(requester, account: account, directory: directory)
    }

    /// Whether any command's rules admit this contact: the bar for seeing our presence.
    public func admitsAnyCommand(_ contact: JID) -> Bool {
        registry.commands.contains { isAllowed(contact, $0) }
    }

    // MARK: Execution

    /// Answers one `<command/>` request from `requester` (a full JID).
    public func handle(_ payload: XMLElement, from requester: JID) async throws(StanzaError) -> XMLElement {
        await cancelExpiredSessions()
        let request = try CommandRequest(payload)
        guard let command = registry.command(for: request.node) else {
            throw StanzaError(.itemNotFound, text: "no command '\(request.node)'")
        }
        var log = RequestLogger(logger: logger, requester: requester, node: request.node)

        guard isAllowed(requester, command) else {
            log.notice("command refused: not allowed")
            // Rights withdrawn mid-session: the session ends, and its command may release what it
            // held (commands.d keeps values awaiting confirmation). Only the requester's own.
            if let id = request.sessionID, let closed = sessions.close(id: id, owner: requester) {
                await command.cancel(CommandContext(requester: closed.owner, node: closed.node, sessionID: closed.id))
            }
            if let onRefusal {
                let submitted = (request.form?.fields ?? []).reduce(into: [String: [String]]()) { values, field in
                    if let variable = field.variable { values[variable] = field.values }
                }
                onRefusal(CommandRefusal(requester: requester, command: command, submitted: submitted, reason: "not allowed by the command's rules"))
            }
            throw StanzaError(.forbidden, text: "you may not run this command")
        }
        guard let sessionID = request.sessionID else {
            return try await start(command, request: request, requester: requester, logger: log)
        }
        log.session = sessionID
        switch sessions.checkOut(id: sessionID, requester: requester) {
        case .expired:
            throw CommandError.sessionExpired
        case .unknown:
            log.info("unknown session or another requester's")
            throw CommandError.badSessionID
        case .busy:
            throw StanzaError(.unexpectedRequest, text: "the previous step of this command is still running")
        case .available(let session):
            guard session.node == command.node else {
                sessions.checkIn(session)
                throw CommandError.badSessionID
            }
            return try await resume(session, command: command, request: request, logger: log)
        }
    }

    private func start(_ command: any Command, request: CommandRequest, requester: JID, logger: RequestLogger) async throws(StanzaError) -> XMLElement {
        let sessionID = SessionID.make()
        switch request.action {
        case .cancel:
            // Nothing was started, so there is nothing to cancel; say so plainly.
            return CommandReply(node: command.node, sessionID: sessionID, status: .canceled).element
        case .prev:
            throw CommandError.badAction("there is no previous stage")
        case .execute, .next, .complete:
            break
        }
        do {
            try sessions.checkCapacity(for: requester)
        } catch {
            logger.warning("session limit reached", ["limit": "\(error)"])
            throw StanzaError(.resourceConstraint, text: "too many open command sessions; finish or cancel one first")
        }
        let context = CommandContext(requester: requester, node: command.node, sessionID: sessionID)
        var logger = logger
        logger.session = sessionID
        logger.info("command started")
        let step = await run(command, context: context, logger: logger) { try await command.start(context) }
        switch step {
        case .ask(let stage):
            sessions.open(id: sessionID, node: command.node, owner: requester, idleTimeout: command.sessionTimeout, first: stage)
            return CommandReply.asking(node: command.node, sessionID: sessionID, stage: stage, canGoBack: false).element
        case .complete(let outcome):
            return CommandReply.completed(node: command.node, sessionID: sessionID, outcome: outcome).element
        }
    }

    private func resume(_ session: CommandSession, command: any Command, request: CommandRequest, logger: RequestLogger) async throws(StanzaError) -> XMLElement {
        var session = session
        guard let stage = session.currentStage else {
            sessions.close(id: session.id)
            throw CommandError.badSessionID
        }
        let context = CommandContext(requester: session.owner, node: command.node, sessionID: session.id)

        if request.action == .cancel || request.form?.kind == .cancel {
            sessions.close(id: session.id)
            await command.cancel(context)
            logger.info("command canceled")
            return CommandReply(node: command.node, sessionID: session.id, status: .canceled).element
        }
        if request.action == .prev {
            guard session.history.count > 1 else {
                sessions.checkIn(session)
                throw CommandError.badAction("there is no previous stage")
            }
            session.history.removeLast()
            var previous = session.history[session.history.count - 1]
            // Show the earlier form with what the requester entered there.
            previous.stage.form = previous.stage.form.prefilled(with: previous.submitted)
            previous.submitted = nil
            session.history[session.history.count - 1] = previous
            sessions.checkIn(session)
            return CommandReply.asking(node: command.node, sessionID: session.id, stage: previous.stage, canGoBack: session.history.count > 1).element
        }

        // execute means "what the last <actions execute=…> said": next, or complete on a final stage.
        let action: SubmitAction
        switch request.action {
        case .complete:
            guard stage.isFinal || stage.canComplete else {
                sessions.checkIn(session)
                throw CommandError.badAction("this stage is not the last one; use next")
            }
            action = .complete
        default:
            action = stage.isFinal ? .complete : .next
        }

        let values: SubmittedValues
        do {
            values = try stage.form.validate(request.form ?? DataForm(.submit))
        } catch {
            sessions.checkIn(session)
            logger.info("submission refused", ["problems": "\(error.problems.count)"])
            throw CommandError.badPayload(error.description)
        }

        let step = await run(command, context: context, logger: logger) {
            try await command.submit(stage: stage.id, values: values, action: action, context: context)
        }
        switch step {
        case .ask(let next):
            session.history[session.history.count - 1].submitted = values
            session.history.append(CommandSession.Step(stage: next))
            sessions.checkIn(session)
            return CommandReply.asking(node: command.node, sessionID: session.id, stage: next, canGoBack: true).element
        case .complete(let outcome):
            sessions.close(id: session.id)
            return CommandReply.completed(node: command.node, sessionID: session.id, outcome: outcome).element
        }
    }

    /// Runs one stage with the command's time limit. A stage that throws or overruns ends the
    /// command with an error note; the requester always hears back.
    private func run(
        _ command: any Command, context: CommandContext, logger: RequestLogger,
        _ body: @escaping @Sendable () async throws -> CommandStep
    ) async -> CommandStep {
        let limit = command.stageTimeout
        do {
            return try await withTimeLimit(limit, scheduler: scheduler, body)
        } catch is TimeLimitExceeded {
            logger.warning("command timed out", ["limit": "\(limit)"])
            await command.cancel(context)
            return .complete(.failure("The command did not finish within \(limit.components.seconds) s and was stopped."))
        } catch {
            logger.error("command failed", ["error": "\(error)"])
            return .complete(.failure("The command failed: \(error)"))
        }
    }

    /// Tells the commands of sessions that expired; called on every request and by `sweep`.
    private func cancelExpiredSessions() async {
        for session in sessions.takeExpiredSessions() {
            guard let command = registry.command(for: session.node) else { continue }
            logger.info("command session expired", metadata: ["node": "\(session.node)", "session": "\(session.id)", "jid": "\(session.owner)"])
            await command.cancel(CommandContext(requester: session.owner, node: session.node, sessionID: session.id))
        }
    }

    /// Expires idle sessions now; run it periodically so abandoned sessions free their memory.
    public func sweep() async {
        await cancelExpiredSessions()
    }

    public var openSessionCount: Int { sessions.openCount }
}

extension DataForm {
    /// The form with earlier answers filled in, for showing a stage again.
    func prefilled(with submitted: SubmittedValues?) -> DataForm {
        guard let submitted else { return self }
        var copy = self
        for index in copy.fields.indices {
            guard let variable = copy.fields[index].variable, copy.fields[index].effectiveType != .hidden,
                  let values = submitted.values[variable]
            else { continue }
            copy.fields[index].values = values
        }
        return copy
    }
}
