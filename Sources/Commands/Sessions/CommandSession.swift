import XMPPCore

/// One requester's run of a multi-stage command.
struct CommandSession: Sendable {
    /// A stage shown, and what was submitted for it once the requester moved on.
    struct Step: Sendable {
        var stage: CommandStage
        var submitted: SubmittedValues?
    }

    /// Stages kept for `prev`: a loop (a media remote pressed all evening) holds this many at
    /// most, so a session's memory stays constant however long it runs.
    static let historyLimit = 16

    let id: String
    let node: String
    /// The JID that started the session; `ownership` says which requests it admits.
    let owner: JID
    let ownership: SessionOwnership
    let idleTimeout: Duration
    /// Empty while the first stage runs (the session is reserved, not yet shown).
    private(set) var history: [Step] = []
    var lastActivity: ContinuousClock.Instant

    init(id: String, node: String, owner: JID, ownership: SessionOwnership, idleTimeout: Duration, lastActivity: ContinuousClock.Instant) {
        self.id = id
        self.node = node
        self.owner = owner
        self.ownership = ownership
        self.idleTimeout = idleTimeout
        self.lastActivity = lastActivity
    }

    var currentStage: CommandStage? { history.last?.stage }

    var canGoBack: Bool { history.count > 1 }

    func admits(_ requester: JID) -> Bool { ownership.admits(requester, owner: owner) }

    /// Shows `stage` next; `submitted` is what the requester entered on the current one.
    mutating func advance(to stage: CommandStage, after submitted: SubmittedValues?) {
        if !history.isEmpty { history[history.count - 1].submitted = submitted }
        history.append(Step(stage: stage))
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
    }

    /// Returns to the previous stage with what the requester entered there; nil at the first.
    mutating func goBack() -> CommandStage? {
        guard canGoBack else { return nil }
        history.removeLast()
        var previous = history[history.count - 1]
        previous.stage.form = previous.stage.form.filled(with: previous.submitted?.values ?? [:])
        previous.submitted = nil
        history[history.count - 1] = previous
        return previous.stage
    }
}

/// Which requests may continue a session: the front end that opens it decides.
public enum SessionOwnership: Sendable, Equatable {
    /// Only the full JID that started it: XEP-0050 binds a session to one client.
    case fullJID
    /// Any resource of the account that started it: a chat dialogue, where a phone's resource
    /// changes between two answers.
    case account

    public func admits(_ requester: JID, owner: JID) -> Bool {
        switch self {
        case .fullJID: requester == owner
        case .account: requester.bare == owner.bare
        }
    }
}

/// Caps on open sessions, against a requester hoarding memory or a flood of starts.
public struct SessionLimits: Sendable, Equatable {
    public var defaultIdleTimeout: Duration
    /// Open sessions per account (bare JID), all its resources together.
    public var perAccount: Int
    public var total: Int

    public init(defaultIdleTimeout: Duration = .seconds(600), perAccount: Int = 5, total: Int = 100) {
        self.defaultIdleTimeout = defaultIdleTimeout
        self.perAccount = perAccount
        self.total = total
    }
}

/// A session limit that refused a start.
public enum SessionLimitError: Error, Sendable, Equatable, CustomStringConvertible {
    case perAccount(Int)
    case overall(Int)

    public var description: String {
        switch self {
        case .perAccount(let limit): "you have \(limit) commands open already; finish or cancel one first"
        case .overall(let limit): "\(limit) commands are open already; try again in a few minutes"
        }
    }
}

/// How a session ended, for a requester who comes back to it.
public struct SessionEnd: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// Nobody answered within the idle timeout.
        case expired(after: Duration)
        case completed
        case canceled
        /// The requester's rules no longer allow the command, or the command went away.
        case withdrawn
    }

    public let node: String
    public let reason: Reason

    public init(node: String, reason: Reason) {
        self.node = node
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .expired(let idle): "'\(node)' expired after \(SessionEnd.minutes(idle)) without an answer; start it again"
        case .completed: "'\(node)' is finished already; start it again"
        case .canceled: "'\(node)' was cancelled; start it again"
        case .withdrawn: "'\(node)' is no longer available"
        }
    }

    static func minutes(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds < 120 { return "\(seconds) s" }
        return "\(seconds / 60) min"
    }
}
