import Logging
import XMPPClient
import XMPPCore

/// Whether the bot is in the room, and what to do next: join, pick another nick, wait and try
/// again, or stop. A pure state machine fed with the session's start, the room's presences
/// about the bot and the timers it asked for; the caller performs the actions (sends,
/// schedules, logs).
public struct RoomMembership: Sendable {
    public enum Phase: Sendable, Equatable {
        /// No session yet (or it ended without resumption).
        case outside
        case joining(nick: String)
        case joined(nick: String)
        /// A retry is scheduled.
        case waiting
        /// Banned: not tried again until a restart or a reload changes `[fleet]`.
        case stopped
    }

    /// One join presence. Its id comes back on the room's answer (on an error at least), so an
    /// answer to an attempt given up on is told from the answer to the current one.
    public struct JoinAttempt: Sendable, Equatable {
        public var nick: String
        public var id: String
    }

    public enum Action: Sendable, Equatable {
        /// Send the join; call `joinTimedOut(id:)` after `joinTimeout`.
        case join(JoinAttempt)
        /// We created the room: submit its configuration.
        case configureRoom
        /// Call `retryDue(generation:)` after the delay.
        case retry(after: Duration, generation: Int)
        case log(Logger.Level, String)
    }

    public let room: JID
    public let account: JID
    public let baseNick: String
    /// How long the room has to answer a join before it is tried again (with the backoff).
    public let joinTimeout: Duration
    public private(set) var phase: Phase = .outside
    /// Whether the room shows us the real JIDs behind nicks (non-anonymous, or we moderate).
    public private(set) var canSeeRealJIDs = false
    /// Bumped by every new session and every scheduled retry: an older retry is stale.
    public private(set) var generation = 0
    /// 1 for the configured nick, then 2, 3… for `nick-2`, `nick-3`.
    private var suffix = 1
    /// Numbers the join presences; `currentJoin` is the one an answer is awaited for.
    private var attempts = 0
    private var currentJoin: String?
    private let joinPrefix: String
    private var backoff: Backoff
    private let jitter: @Sendable (ClosedRange<Double>) -> Double

    /// Retries after a kick or a transient refusal, doubling up to `maximumDelay`.
    public static let firstDelay: Duration = .seconds(2)
    public static let maximumDelay: Duration = .seconds(300)
    /// Retries when only a person can fix it (not a member, a password, a room that is gone).
    public static let longDelay: Duration = .seconds(1200)
    /// Nicks tried before waiting: `nick-2` … `nick-9`.
    public static let maximumSuffix = 9
    /// A room on the same server answers a join in milliseconds, one across federation in
    /// seconds (a first server-to-server connection included).
    public static let defaultJoinTimeout: Duration = .seconds(30)

    public init(
        room: JID, account: JID, nick: String, joinTimeout: Duration = Self.defaultJoinTimeout,
        jitter: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) {
        self.room = room.bare
        self.account = account.bare
        baseNick = nick
        self.joinTimeout = joinTimeout
        backoff = Backoff(initial: Self.firstDelay, maximum: Self.maximumDelay)
        self.jitter = jitter
        // Another membership of this process (before a reload) must not take our answers.
        joinPrefix = "join-" + String(UInt32.random(in: .min ... .max), radix: 36)
    }

    /// The nick asked for now.
    public var nick: String { suffix == 1 ? baseNick : "\(baseNick)-\(suffix)" }

    /// A new session (not a resumed one, where the server kept our room presence): join with
    /// the configured nick.
    public mutating func sessionStarted() -> [Action] {
        generation += 1
        suffix = 1
        backoff.reset()
        canSeeRealJIDs = false
        return [join()]
    }

    /// A scheduled retry is due.
    public mutating func retryDue(generation due: Int) -> [Action] {
        guard due == generation, phase == .waiting else { return [] }
        return [join()]
    }

    /// `joinTimeout` has passed since the join `id` was sent. Unanswered (the room's service is
    /// down or slow, or the room's domain is no MUC service and drops the presence), it is
    /// given up on: logged, and tried again after the backoff. Its late answer is still
    /// welcome (`handle`).
    public mutating func joinTimedOut(id: String) -> [Action] {
        guard case .joining(let asked) = phase, id == currentJoin else { return [] }
        currentJoin = nil
        let seconds = Int(joinTimeout.components.seconds)
        return wait(
            nextDelay(), .warning,
            "the room \(room) did not answer our join as '\(asked)' within \(seconds) s (is \(room.domain) a multi-user chat service, and is it up?)")
    }

    /// The room refused one of our messages as from a non-occupant (`not-acceptable`) while we
    /// thought we were in: it lost us without a word (the room's process restarted). Join again.
    public mutating func notAnOccupant() -> [Action] {
        guard case .joined = phase else { return [] }
        return wait(nextDelay(), .warning, "the room \(room) no longer counts us as an occupant (it refused our message as not-acceptable)")
    }

    /// We leave on purpose (reload, shutdown): nothing more is tried.
    public mutating func left() {
        generation += 1
        phase = .stopped
    }

    /// A presence from the room; only those about the bot itself change anything.
    public mutating func handle(_ presence: RoomPresence) -> [Action] {
        switch presence.kind {
        case .error(let error):
            // An error without an id may answer the current join; one with another id answers
            // an attempt given up on (or something else we sent).
            guard case .joining(let asked) = phase, presence.nick == asked, presence.id == nil || presence.id == currentJoin else { return [] }
            currentJoin = nil
            return refused(error, nick: asked)
        case .available:
            switch phase {
            case .joining(let asked) where presence.isSelf || presence.nick == asked:
                currentJoin = nil
                return entered(presence)
            case .waiting where presence.isSelf:
                // A join we gave up on was answered after all: the room has us. The scheduled
                // retry is stale now.
                generation += 1
                return [.log(.notice, "the room \(room) answered an earlier join late")] + entered(presence)
            case .joined where presence.isSelf:
                phase = .joined(nick: presence.nick)
                canSeeRealJIDs = presence.statusCodes.contains(RoomStatus.nonAnonymous) || canSeeRealJIDs || presence.role == "moderator"
                return []
            default:
                return []
            }
        case .unavailable:
            guard case .joined(let current) = phase, presence.isSelf || presence.nick == current else { return [] }
            return removed(presence)
        }
    }

    /// The room announced a configuration change (status 172 or 173 in a message).
    public mutating func configurationChanged(_ codes: Set<Int>, isModerator: Bool) {
        if codes.contains(RoomStatus.nowNonAnonymous) { canSeeRealJIDs = true }
        if codes.contains(RoomStatus.nowSemiAnonymous) { canSeeRealJIDs = isModerator }
    }

    // MARK: Transitions

    private mutating func entered(_ presence: RoomPresence) -> [Action] {
        phase = .joined(nick: presence.nick)
        canSeeRealJIDs = presence.statusCodes.contains(RoomStatus.nonAnonymous) || presence.role == "moderator"
        var actions: [Action] = [.log(.info, "joined the fleet room \(room) as '\(presence.nick)'")]
        if presence.nick != nick { actions.append(.log(.notice, "the room \(room) named us '\(presence.nick)' instead of '\(nick)'")) }
        if presence.statusCodes.contains(RoomStatus.created) {
            actions.append(.log(.notice, "created the room \(room): making it members-only and non-anonymous"))
            actions.append(.configureRoom)
        }
        return actions
    }

    private mutating func refused(_ error: StanzaError, nick asked: String) -> [Action] {
        switch error.condition {
        case .conflict:
            guard suffix < Self.maximumSuffix else {
                suffix = 1
                return wait(Self.maximumDelay, .warning, "every nick from '\(baseNick)' to '\(baseNick)-\(Self.maximumSuffix)' is taken in \(room)")
            }
            suffix += 1
            return [.log(.notice, "the nick '\(asked)' is taken in \(room); joining as '\(nick)'"), join()]
        case .forbidden:
            return banned()
        case .registrationRequired:
            return wait(long, .error, "the room \(room) is members-only and \(account) is not a member: ask its owner to add it")
        case .notAuthorized:
            return wait(long, .error, "the room \(room) wants a password: set [fleet] password_file")
        case .itemNotFound, .gone, .notAllowed, .remoteServerNotFound:
            return wait(long, .error, "the room \(room) does not exist and may not be created by \(account) (\(error.condition.rawValue))")
        case .notAcceptable, .jidMalformed:
            return wait(long, .error, "the room \(room) refuses the nick '\(asked)' (\(error.condition.rawValue)): set [fleet] nick")
        case .remoteServerTimeout, .serviceUnavailable:
            // Prosody answers so for a component that is not connected.
            return wait(nextDelay(), .warning, "the multi-user chat service \(room.domain) is unreachable (\(error.condition.rawValue)): is it running?")
        default:
            return wait(nextDelay(), .warning, "the room \(room) refused us: \(error)")
        }
    }

    private mutating func removed(_ presence: RoomPresence) -> [Action] {
        let codes = presence.statusCodes
        if codes.contains(RoomStatus.nickChanged), let new = presence.newNick {
            phase = .joined(nick: new)
            return []
        }
        if codes.contains(RoomStatus.banned) { return banned() }
        if presence.destroyed { return destroyed(presence) }
        if codes.contains(RoomStatus.affiliationChanged) || codes.contains(RoomStatus.membersOnly) {
            return wait(long, .error, "removed from the fleet room \(room): \(account) is no longer a member")
        }
        if codes.contains(RoomStatus.kicked) {
            return wait(nextDelay(), .notice, "kicked from the fleet room \(room)")
        }
        return wait(nextDelay(), .notice, "the room \(room) removed us (codes \(codes.sorted().map(String.init).joined(separator: ",")))")
    }

    /// Joining again would create a new room owned by this bot, one the other bots and the
    /// admins are no members of: a person decides where the fleet meets now.
    private mutating func destroyed(_ presence: RoomPresence) -> [Action] {
        phase = .stopped
        var why = "the fleet room \(room) was destroyed"
        if let reason = presence.destroyReason?.trimmingWhitespace(), !reason.isEmpty { why += " (\(reason.abbreviated(to: 200)))" }
        if let alternate = presence.alternateRoom { why += "; it points to \(alternate.abbreviated(to: 200)), set [fleet] room to go there" }
        return [.log(.error, why + ": not joining again (that would create a new room) until a restart or a reload that changes [fleet]")]
    }

    private mutating func banned() -> [Action] {
        phase = .stopped
        return [.log(.error, "banned from the fleet room \(room): not joining again until a restart or a reload that changes [fleet]")]
    }

    private mutating func join() -> Action {
        attempts += 1
        let attempt = JoinAttempt(nick: nick, id: "\(joinPrefix)-\(attempts)")
        currentJoin = attempt.id
        phase = .joining(nick: attempt.nick)
        return .join(attempt)
    }

    private var long: Duration { Self.longDelay * jitter(0.5...1.0) }

    private mutating func nextDelay() -> Duration { backoff.nextDelay(jitter: jitter) }

    private mutating func wait(_ delay: Duration, _ level: Logger.Level, _ why: String) -> [Action] {
        generation += 1
        phase = .waiting
        return [.log(level, "\(why); trying again in \(Int(delay.components.seconds)) s"), .retry(after: delay, generation: generation)]
    }
}
