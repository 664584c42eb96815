import Logging
import XMPPCore

/// The command core every front end drives: who may run what, sessions, validation, time
/// limits and the refusal hook. It speaks in commands, stages and values; turning them into
/// XEP-0050 IQs or chat messages is the front ends' work.
///
/// Permission is evaluated against the live roster at every request, and a command the
/// requester may not run is indistinguishable from one that does not exist.
public final class CommandEngine: Sendable {
    public let registry: CommandRegistry
    /// The bot's own account, for `self` rules.
    public let account: JID
    private let directory: any GroupDirectory
    let sessions: SessionStore
    let scheduler: any DeadlineScheduler
    let logger: Logger
    private let onRefusal: CommandRefusalHandler?

    /// `onRefusal` hears of every request refused because the rules do not allow it.
    public init(
        account: JID,
        registry: CommandRegistry,
        directory: any GroupDirectory,
        limits: SessionLimits = SessionLimits(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        scheduler: any DeadlineScheduler = TaskDeadlineScheduler(),
        logger: Logger = Logger(label: "adhocd.commands"),
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

    public var limits: SessionLimits { sessions.limits }

    // MARK: Who may run what

    /// The commands this requester may run, in registry order.
    public func available(for requester: JID) -> [any Command] {
        registry.commands.filter { isAllowed(requester, $0) }
    }

    /// The command at `node` if this requester may run it; nil alike when it does not exist.
    public func command(_ node: String, for requester: JID) -> (any Command)? {
        registry.command(for: node).flatMap { isAllowed(requester, $0) ? $0 : nil }
    }

    public func isAllowed(_ requester: JID, _ command: any Command) -> Bool {
        command.policy.permits(requester, account: account, directory: directory)
    }

    /// Whether rules other than a command's admit this requester, against the same live roster
    /// (a front end's own bar, such as who may chat at all).
    public func permits(_ requester: JID, _ policy: AccessPolicy) -> Bool {
        policy.permits(requester, account: account, directory: directory)
    }

    /// Whether any command's rules admit this contact: the bar for seeing our presence.
    public func admitsAnyCommand(_ contact: JID) -> Bool {
        registry.commands.contains { isAllowed(contact, $0) }
    }

    /// The command at `node` for this requester, or `.notFound`; a real command refused by its
    /// rules goes to the refusal hook (an audit line), with the values the request carried.
    /// When the request named a session of this requester's, that session ends and its command
    /// is told (its rights were withdrawn while it was open).
    public func resolve(
        _ node: String, for requester: JID, submitted: [String: [String]] = [:], session sessionID: String? = nil
    ) async throws(CommandFailure) -> any Command {
        guard let command = registry.command(for: node) else { throw .notFound }
        guard isAllowed(requester, command) else {
            await refuse(command, requester: requester, submitted: submitted, session: sessionID)
            throw .notFound
        }
        return command
    }

    private func refuse(_ command: any Command, requester: JID, submitted: [String: [String]], session sessionID: String?) async {
        var log = RequestLogger(logger: logger, requester: requester, node: command.node)
        log.session = sessionID
        log.notice("command refused: not allowed")
        if let sessionID, case .available(let session) = sessions.peek(id: sessionID, requester: requester),
           session.node == command.node, let closed = sessions.close(id: sessionID, .withdrawn) {
            await command.cancel(CommandContext(requester: closed.owner, node: closed.node, sessionID: closed.id))
        }
        onRefusal?(CommandRefusal(requester: requester, command: command, submitted: submitted, reason: "not allowed by the command's rules"))
    }

    // MARK: Running

    /// Starts the command at `node`: its first stage, or its outcome when it needs no input.
    /// `ownership` says which later requests may continue the session; `submitted`, values the
    /// request carried, only reach the refusal hook (a first stage takes no input).
    public func start(
        _ node: String, for requester: JID, ownership: SessionOwnership, submitted: [String: [String]] = [:]
    ) async throws(CommandFailure) -> CommandAnswer {
        await cancelExpiredSessions()
        let command = try await resolve(node, for: requester, submitted: submitted)
        let sessionID = SessionID.make()
        var log = RequestLogger(logger: logger, requester: requester, node: command.node)
        let session: CommandSession
        do {
            session = try sessions.reserve(id: sessionID, node: command.node, owner: requester, ownership: ownership, idleTimeout: command.sessionTimeout)
        } catch {
            log.warning("session limit reached", ["limit": "\(error)"])
            throw .tooManySessions(error)
        }
        log.session = sessionID
        log.info("command started")
        let context = CommandContext(requester: requester, node: command.node, sessionID: sessionID)
        let step = await run(command, context: context, logger: log) { try await command.start(context) }
        return finish(step, of: command, session: session, submitted: nil)
    }

    /// Submits values for the session's current stage. `action` nil means what the stage
    /// offers first: `next`, or `complete` on its last stage; `next` on the last stage
    /// completes too. Values that fail the stage's checks answer `.rejected`, running nothing.
    /// `node`, when the request names one, must be a command this requester may run and the
    /// session's own.
    public func submit(
        _ input: StageInput, to sessionID: String, from requester: JID, action: SubmitAction? = nil, node: String? = nil
    ) async throws(CommandFailure) -> CommandAnswer {
        let (session, command) = try await checkOut(sessionID, requester: requester, node: node, submitted: input.rawValues)
        guard let stage = session.currentStage else {
            sessions.release(sessionID)
            throw .sessionBusy
        }
        let chosen: SubmitAction
        switch action {
        case .complete?:
            guard stage.isFinal || stage.canComplete else {
                sessions.release(sessionID)
                throw .notTheLastStage
            }
            chosen = .complete
        case .next?, nil:
            chosen = stage.isFinal ? .complete : .next
        }
        var log = RequestLogger(logger: logger, requester: requester, node: command.node)
        log.session = sessionID

        let values: SubmittedValues
        do {
            values = try stage.form.validate(input.submission)
        } catch {
            sessions.checkIn(session)
            log.info("submission refused", ["problems": "\(error.problems.count)"])
            var shown = stage
            shown.form = stage.form.filled(with: input.rawValues)
            return CommandAnswer(node: command.node, sessionID: sessionID, state: .rejected(shown, problems: error.problems), canGoBack: session.canGoBack)
        }
        let context = CommandContext(requester: session.owner, node: command.node, sessionID: sessionID)
        let step = await run(command, context: context, logger: log) {
            try await command.submit(stage: stage.id, values: values, action: chosen, context: context)
        }
        return finish(step, of: command, session: session, submitted: values)
    }

    /// Shows the previous stage again, with what the requester entered there.
    public func back(_ sessionID: String, from requester: JID, node: String? = nil) async throws(CommandFailure) -> CommandAnswer {
        var (session, command) = try await checkOut(sessionID, requester: requester, node: node, submitted: [:])
        guard let previous = session.goBack() else {
            sessions.release(sessionID)
            throw .noPreviousStage
        }
        sessions.checkIn(session)
        return CommandAnswer(node: command.node, sessionID: sessionID, state: .asking(previous), canGoBack: session.canGoBack)
    }

    /// Ends the session; its command releases what it held.
    public func cancel(_ sessionID: String, from requester: JID, node: String? = nil) async throws(CommandFailure) -> CommandAnswer {
        let (session, command) = try await checkOut(sessionID, requester: requester, node: node, submitted: [:])
        sessions.close(id: sessionID, .canceled)
        await command.cancel(CommandContext(requester: session.owner, node: command.node, sessionID: sessionID))
        var log = RequestLogger(logger: logger, requester: requester, node: command.node)
        log.session = sessionID
        log.info("command canceled")
        return CommandAnswer(node: command.node, sessionID: sessionID, state: .canceled)
    }

    /// Keeps a session that asks for more, or closes it with the outcome.
    private func finish(_ step: CommandStep, of command: any Command, session: CommandSession, submitted: SubmittedValues?) -> CommandAnswer {
        var session = session
        switch step {
        case .ask(let stage):
            session.advance(to: stage, after: submitted)
            sessions.checkIn(session)
            return CommandAnswer(node: command.node, sessionID: session.id, state: .asking(stage), canGoBack: session.canGoBack)
        case .complete(let outcome):
            sessions.close(id: session.id, .completed)
            return CommandAnswer(node: command.node, sessionID: session.id, state: .completed(outcome))
        }
    }
}
