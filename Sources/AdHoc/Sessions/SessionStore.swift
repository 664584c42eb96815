import Synchronization
import XMPPCore

/// Open sessions, their owners and idle expiry.
///
/// A session is checked out while one of its stages runs, so two requests cannot drive it at
/// once, and checked back in with its new state. Ids of expired sessions are remembered for a
/// while so a late client hears "session expired" rather than "unknown session".
final class SessionStore: Sendable {
    enum Lookup {
        case available(CommandSession)
        case expired
        /// No such session, or not this requester's: the two answer alike, so session ids
        /// cannot be probed.
        case unknown
        case busy
    }

    enum OpenError: Error {
        case tooManyForAccount(Int)
        case tooManyOverall(Int)
    }

    private struct State {
        var sessions: [String: CommandSession] = [:]
        var busy: Set<String> = []
        var recentlyExpired: [String] = []
        /// Expired sessions whose commands have not yet been told.
        var awaitingCancel: [CommandSession] = []
    }

    let limits: SessionLimits
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())
    private static let expiredMemory = 1000

    init(limits: SessionLimits, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.limits = limits
        self.now = now
    }

    /// Reserves room for a new session of `owner`, failing when a cap is reached.
    func checkCapacity(for owner: JID) throws(OpenError) {
        let (forAccount, overall) = state.withLock { state in
            expire(&state)
            let forAccount = state.sessions.values.count { $0.owner.bare == owner.bare }
            return (forAccount, state.sessions.count)
        }
        if forAccount >= limits.perAccount { throw .tooManyForAccount(limits.perAccount) }
        if overall >= limits.total { throw .tooManyOverall(limits.total) }
    }

    /// Stores a new session with its first stage.
    func open(id: String, node: String, owner: JID, idleTimeout: Duration?, first stage: CommandStage) {
        let session = CommandSession(
            id: id, node: node, owner: owner, idleTimeout: idleTimeout ?? limits.defaultIdleTimeout,
            history: [CommandSession.Step(stage: stage)], lastActivity: now())
        state.withLock { $0.sessions[id] = session }
    }

    /// Takes a session for one stage; it stays busy until `checkIn` or `close`.
    func checkOut(id: String, requester: JID) -> Lookup {
        state.withLock { state in
            expire(&state)
            guard let session = state.sessions[id] else {
                return state.recentlyExpired.contains(id) ? .expired : .unknown
            }
            guard session.owner == requester else { return .unknown }
            guard !state.busy.contains(id) else { return .busy }
            state.busy.insert(id)
            return .available(session)
        }
    }

    /// Returns a session after a stage, with its new state and a fresh idle timer.
    func checkIn(_ session: CommandSession) {
        var session = session
        session.lastActivity = now()
        state.withLock { state in
            state.busy.remove(session.id)
            if state.sessions[session.id] != nil { state.sessions[session.id] = session }
        }
    }

    /// Closes the session only if `owner` opened it, and returns it so its command can be told.
    @discardableResult
    func close(id: String, owner: JID) -> CommandSession? {
        state.withLock { state in
            guard let session = state.sessions[id], session.owner == owner else { return nil }
            state.busy.remove(id)
            state.sessions[id] = nil
            return session
        }
    }

    func close(id: String) {
        state.withLock { state in
            state.busy.remove(id)
            state.sessions[id] = nil
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

    private func expire(_ state: inout State) {
        let current = now()
        let idle = state.sessions.values.filter { session in
            !state.busy.contains(session.id) && current - session.lastActivity >= session.idleTimeout
        }
        for session in idle {
            state.sessions[session.id] = nil
            state.recentlyExpired.append(session.id)
        }
        state.awaitingCancel += idle
        if state.recentlyExpired.count > Self.expiredMemory {
            state.recentlyExpired.removeFirst(state.recentlyExpired.count - Self.expiredMemory)
        }
    }
}
