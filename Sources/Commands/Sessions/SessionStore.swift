import Synchronization
import XMPPCore

/// Open sessions, their owners, limits and idle expiry.
///
/// A session is reserved before its first stage runs, so the limits hold however many starts
/// arrive at once, and checked out while one of its stages runs, so two requests cannot drive
/// it at once; it is checked back in with its new state. How recent sessions ended is
/// remembered for a while so a late requester hears "expired" or "finished" rather than
/// "unknown session".
final class SessionStore: Sendable {
    enum Lookup {
        case available(CommandSession)
        case ended(SessionEnd)
        /// No such session, or not this requester's: the two answer alike, so session ids
        /// cannot be probed.
        case unknown
        case busy
    }

    private struct Ended {
        let owner: JID
        let ownership: SessionOwnership
        let end: SessionEnd
    }

    private struct State {
        var sessions: [String: CommandSession] = [:]
        var busy: Set<String> = []
        var ended: [String: Ended] = [:]
        /// `ended`'s ids, oldest first, to forget the oldest beyond `endedMemory`.
        var endedOrder: [String] = []
        /// Expired sessions whose commands have not yet been told.
        var awaitingCancel: [CommandSession] = []
        /// Open sessions per owner's bare JID, so a start does not count all sessions.
        var perOwner: [JID: Int] = [:]
        /// No session can be idle past its timeout before this instant (a lower bound of their
        /// deadlines): until then, requests skip the scan for expired sessions. Measured with
        /// 1,000 sessions open, the scan on every request doubled a command's latency.
        var earliestExpiry: ContinuousClock.Instant?

        mutating func insert(_ session: CommandSession) {
            if sessions.updateValue(session, forKey: session.id) == nil { perOwner[session.owner.bare, default: 0] += 1 }
            let deadline = session.lastActivity + session.idleTimeout
            earliestExpiry = min(earliestExpiry ?? deadline, deadline)
        }

        @discardableResult
        mutating func remove(_ id: String) -> CommandSession? {
            guard let session = sessions.removeValue(forKey: id) else { return nil }
            let owner = session.owner.bare
            perOwner[owner] = (perOwner[owner] ?? 1) > 1 ? (perOwner[owner] ?? 1) - 1 : nil
            return session
        }

        mutating func remember(_ session: CommandSession, _ reason: SessionEnd.Reason) {
            if ended[session.id] == nil { endedOrder.append(session.id) }
            ended[session.id] = Ended(owner: session.owner, ownership: session.ownership, end: SessionEnd(node: session.node, reason: reason))
            if endedOrder.count > SessionStore.endedMemory {
                for id in endedOrder.prefix(endedOrder.count - SessionStore.endedMemory) { ended[id] = nil }
                endedOrder.removeFirst(endedOrder.count - SessionStore.endedMemory)
            }
        }
    }

    let limits: SessionLimits
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())
    static let endedMemory = 1000

    init(limits: SessionLimits, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.limits = limits
        self.now = now
    }

    /// Counts a new session of `owner` against the limits at once and holds it busy until its
    /// first stage is checked in (or it is closed): a check and an insert in one step.
    func reserve(id: String, node: String, owner: JID, ownership: SessionOwnership, idleTimeout: Duration?) throws(SessionLimitError) -> CommandSession {
        let session = CommandSession(
            id: id, node: node, owner: owner, ownership: ownership,
            idleTimeout: idleTimeout ?? limits.defaultIdleTimeout, lastActivity: now())
        let refusal: SessionLimitError? = state.withLock { state in
            expire(&state)
            if state.sessions.count >= limits.total { return .overall(limits.total) }
            if state.perOwner[owner.bare, default: 0] >= limits.perAccount { return .perAccount(limits.perAccount) }
            state.insert(session)
            state.busy.insert(id)
            return nil
        }
        if let refusal { throw refusal }
        return session
    }

    /// Takes a session for one stage; it stays busy until `checkIn` or `close`.
    func checkOut(id: String, requester: JID) -> Lookup {
        state.withLock { state in
            let lookup = find(id, requester: requester, in: &state)
            if case .available = lookup { state.busy.insert(id) }
            return lookup
        }
    }

    /// The session as it stands, without taking it.
    func peek(id: String, requester: JID) -> Lookup {
        state.withLock { state in find(id, requester: requester, in: &state) }
    }

    private func find(_ id: String, requester: JID, in state: inout State) -> Lookup {
        expire(&state)
        guard let session = state.sessions[id] else {
            guard let ended = state.ended[id], ended.ownership.admits(requester, owner: ended.owner) else { return .unknown }
            return .ended(ended.end)
        }
        guard session.admits(requester) else { return .unknown }
        guard !state.busy.contains(id), session.currentStage != nil else { return .busy }
        return .available(session)
    }

    /// Returns a session after a stage, with its new state and a fresh idle timer.
    func checkIn(_ session: CommandSession) {
        var session = session
        session.lastActivity = now()
        state.withLock { state in
            state.busy.remove(session.id)
            if state.sessions[session.id] != nil { state.insert(session) }
        }
    }

    /// Returns a session untouched, as if it had not been taken: its idle timer keeps running.
    func release(_ id: String) {
        _ = state.withLock { $0.busy.remove(id) }
    }

    /// Ends a session and remembers why; returns it if it was open.
    @discardableResult
    func close(id: String, _ reason: SessionEnd.Reason) -> CommandSession? {
        state.withLock { state in
            state.busy.remove(id)
            guard let session = state.remove(id) else { return nil }
            state.remember(session, reason)
            return session
        }
    }

    /// Drops idle sessions now, and hands over every session expired since the last call
    /// so its command can be told.
    func takeExpiredSessions() -> [CommandSession] {
        state.withLock { state in
            expire(&state)
            defer { state.awaitingCancel.removeAll() }
            return state.awaitingCancel
        }
    }

    var openCount: Int { state.withLock { $0.sessions.count } }

    /// The stages a session holds for `prev`, for tests of its bound.
    func historyDepth(of id: String) -> Int? { state.withLock { $0.sessions[id]?.history.count } }

    private func expire(_ state: inout State) {
        let current = now()
        if let earliest = state.earliestExpiry, current < earliest { return }
        var idle: [CommandSession] = []
        var earliest: ContinuousClock.Instant?
        for session in state.sessions.values {
            let deadline = session.lastActivity + session.idleTimeout
            if !state.busy.contains(session.id) && current >= deadline {
                idle.append(session)
            } else {
                earliest = min(earliest ?? deadline, deadline)
            }
        }
        state.earliestExpiry = earliest
        for session in idle {
            state.remove(session.id)
            state.remember(session, .expired(after: session.idleTimeout))
        }
        state.awaitingCancel += idle
    }
}
