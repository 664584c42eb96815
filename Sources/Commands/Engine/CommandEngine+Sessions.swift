import XMPPCore

extension CommandEngine {
    /// The session as it stands, for a front end that shows its question again.
    public func session(_ sessionID: String, for requester: JID) throws(CommandFailure) -> SessionSnapshot {
        switch sessions.peek(id: sessionID, requester: requester) {
        case .unknown: throw .unknownSession
        case .ended(let end): throw .sessionEnded(end)
        case .busy: throw .sessionBusy
        case .available(let session):
            guard let stage = session.currentStage else { throw .sessionBusy }
            return SessionSnapshot(id: session.id, node: session.node, owner: session.owner, stage: stage, canGoBack: session.canGoBack)
        }
    }

    /// Checks one field's values against the session's current stage with the same rules as a
    /// submission (types, ranges, patterns, options), before the whole stage is submitted:
    /// the normalised values, or the field's problems.
    public func validate(
        _ values: [String], field variable: String, session sessionID: String, from requester: JID
    ) throws(CommandFailure) -> Result<[String], FormValidationError> {
        let stage = try session(sessionID, for: requester).stage
        do {
            return .success(try stage.form.validate(values, forField: variable))
        } catch {
            return .failure(error)
        }
    }

    /// Expires idle sessions now; run it periodically so abandoned sessions free their memory.
    public func sweep() async {
        await cancelExpiredSessions()
    }

    public var openSessionCount: Int { sessions.openCount }

    /// Takes the requester's session for one request, after the node it names (if any) passed
    /// the rules: a stranger's request about a real node is refused before sessions are looked
    /// at, exactly like one about no node at all. Permission is checked again for the session's
    /// command: rules may have changed since the last stage.
    func checkOut(
        _ sessionID: String, requester: JID, node: String?, submitted: [String: [String]]
    ) async throws(CommandFailure) -> (CommandSession, any Command) {
        await cancelExpiredSessions()
        if let node { _ = try await resolve(node, for: requester, submitted: submitted, session: sessionID) }
        let session: CommandSession
        switch sessions.checkOut(id: sessionID, requester: requester) {
        case .unknown:
            RequestLogger(logger: logger, requester: requester, node: node ?? "", session: sessionID).info("unknown session or another requester's")
            throw .unknownSession
        case .ended(let end): throw .sessionEnded(end)
        case .busy: throw .sessionBusy
        case .available(let found): session = found
        }
        if let node, node != session.node {
            sessions.release(sessionID)
            throw .unknownSession
        }
        guard let command = registry.command(for: session.node) else {
            // Its provider took it away (a player quit): the session cannot go on.
            sessions.close(id: sessionID, .withdrawn)
            throw .sessionEnded(SessionEnd(node: session.node, reason: .withdrawn))
        }
        guard isAllowed(requester, command) else {
            sessions.release(sessionID)
            _ = try await resolve(session.node, for: requester, submitted: submitted, session: sessionID)
            throw .notFound
        }
        return (session, command)
    }

    /// Runs one stage with the command's time limit. A stage that throws or overruns ends the
    /// command with an error note; the requester always hears back.
    func run(
        _ command: any Command, context: CommandContext, logger: RequestLogger,
        _ body: @escaping @Sendable () async throws -> CommandStep
    ) async -> CommandStep {
        let limit = command.stageTimeout
        do {
            return try await withTimeLimit(limit, scheduler: scheduler, body)
        } catch is TimeLimitExceeded {
            logger.warning("command timed out", ["limit": "\(limit)"])
            await command.cancel(context)
            return .complete(.failure("The command did not finish within \(Self.spoken(limit)) and was stopped."))
        } catch is CancellationError {
            // Runs outlive their connection; only shutdown cancels one midway.
            logger.notice("command stopped: adhocd is shutting down")
            return .complete(.failure("Stopped: adhocd is shutting down. Run the command again when it is back."))
        } catch {
            logger.error("command failed", ["error": "\(error)"])
            return .complete(.failure("The command failed: \(error)"))
        }
    }

    /// "30 s", or "100 ms" under a second.
    static func spoken(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return seconds >= 1 ? "\(seconds) s" : "\(attoseconds / 1_000_000_000_000_000) ms"
    }

    /// Tells the commands of sessions that expired; called on every request and by `sweep`.
    func cancelExpiredSessions() async {
        for session in sessions.takeExpiredSessions() {
            guard let command = registry.command(for: session.node) else { continue }
            RequestLogger(logger: logger, requester: session.owner, node: session.node, session: session.id).info("command session expired")
            await command.cancel(CommandContext(requester: session.owner, node: session.node, sessionID: session.id))
        }
    }
}
