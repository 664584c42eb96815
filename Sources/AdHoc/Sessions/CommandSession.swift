import XMPPCore

/// One requester's run of a multi-stage command.
struct CommandSession: Sendable {
    /// A stage shown, and what was submitted for it once the requester moved on.
    struct Step: Sendable {
        var stage: CommandStage
        var submitted: SubmittedValues?
    }

    let id: String
    let node: String
    /// The full JID that started the session; only it may continue it.
    let owner: JID
    let idleTimeout: Duration
    var history: [Step]
    var lastActivity: ContinuousClock.Instant

    var currentStage: CommandStage? { history.last?.stage }
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
