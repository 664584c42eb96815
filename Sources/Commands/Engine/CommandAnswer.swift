import XMPPCore

/// Where a command stands after a request: what a front end shows next.
public struct CommandAnswer: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Waiting for the requester to fill in this stage.
        case asking(CommandStage)
        /// The submission did not pass the stage's checks: the same stage again, its form
        /// holding the values as submitted, and every problem. The session stays open.
        case rejected(CommandStage, problems: [FieldProblem])
        /// Done; the session is closed.
        case completed(CommandOutcome)
        /// Cancelled by the requester; the session is closed.
        case canceled
    }

    public let node: String
    public let sessionID: String
    public let state: State
    /// Whether `back` would return to an earlier stage.
    public let canGoBack: Bool

    public init(node: String, sessionID: String, state: State, canGoBack: Bool = false) {
        self.node = node
        self.sessionID = sessionID
        self.state = state
        self.canGoBack = canGoBack
    }

    /// The stage shown, when the command waits for input.
    public var stage: CommandStage? {
        switch state {
        case .asking(let stage), .rejected(let stage, _): stage
        case .completed, .canceled: nil
        }
    }
}

/// What a submission carries: a data form as a client sent it, or values a front end
/// collected itself (a chat asking one field at a time). Both pass the same checks.
public enum StageInput: Sendable {
    case form(DataForm)
    case values(SubmittedValues)

    /// As a submitted form, for checking against the stage's form.
    public var submission: DataForm {
        switch self {
        case .form(let form): form
        case .values(let values):
            DataForm(.submit, fields: values.values.sorted { $0.key < $1.key }.map { FormField($0.key, type: nil, values: $0.value) })
        }
    }

    /// Every value, unchecked, by field: for the refusal hook and for showing a refused form again.
    public var rawValues: [String: [String]] {
        switch self {
        case .form(let form): form.submittedValues
        case .values(let values): values.values
        }
    }
}

/// Why the engine did not run a request. Front ends map these to their own answers.
public enum CommandFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such command for this requester. A command the requester may not run is answered
    /// exactly like one that does not exist, so its name cannot be probed.
    case notFound
    /// No such session, or another requester's: alike, so session ids cannot be probed.
    case unknownSession
    /// The requester's own session ended: expired, finished, cancelled or withdrawn.
    case sessionEnded(SessionEnd)
    /// The previous stage of this session is still running.
    case sessionBusy
    /// `back` at the first stage.
    case noPreviousStage
    /// `complete` asked on a stage that only offers going on.
    case notTheLastStage
    /// Too many sessions open for this account, or overall.
    case tooManySessions(SessionLimitError)

    public var description: String {
        switch self {
        case .notFound: "no such command"
        case .unknownSession: "unknown session"
        case .sessionEnded(let end): "the command \(end)"
        case .sessionBusy: "the previous step of this command is still running"
        case .noPreviousStage: "there is no previous stage"
        case .notTheLastStage: "this stage is not the last one; go on to the next"
        case .tooManySessions(let limit): "\(limit)"
        }
    }
}

/// A session as it stands, for a front end that shows it again (a chat's "what was asked?").
public struct SessionSnapshot: Sendable, Equatable {
    public let id: String
    public let node: String
    public let owner: JID
    public let stage: CommandStage
    public let canGoBack: Bool
}
