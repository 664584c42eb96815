import XMPPCore

/// A command any XMPP client can run: the unit providers (built-ins, commands.d, D-Bus) supply.
///
/// Providers never see a front end's framing (XEP-0050 IQs, chat messages): they get validated,
/// typed values and answer with the next form or an outcome. The `CommandEngine` owns sessions,
/// history (`prev`), timeouts, validation and permission checks, so every front end drives the
/// same commands with the same rules.
public protocol Command: Sendable {
    /// Stable node id, unique in the registry (`status`, `mpris/vlc/pause`).
    var node: String { get }
    /// What clients show in the command list.
    var name: String { get }
    var policy: AccessPolicy { get }
    /// Idle time after which an unfinished session is dropped; nil uses the engine's default.
    var sessionTimeout: Duration? { get }
    /// The longest one stage may run before the requester is told it failed.
    var stageTimeout: Duration { get }

    /// The first stage: ask for input, or finish at once.
    func start(_ context: CommandContext) async throws -> CommandStep
    /// Values submitted for `stage` (already checked against its form); `action` says whether
    /// the requester chose to go on (`next`) or finish (`complete`).
    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep
    /// The requester cancelled, or the session expired: release whatever the session held.
    func cancel(_ context: CommandContext) async
}

extension Command {
    public var sessionTimeout: Duration? { nil }
    public var stageTimeout: Duration { .seconds(30) }
    public func cancel(_ context: CommandContext) async {}

    public func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        .complete(.failure("This command takes no input."))
    }
}

/// What the requester asked for when submitting a stage.
public enum SubmitAction: String, Sendable {
    case next, complete
}

/// Who runs the command, in which session.
public struct CommandContext: Sendable {
    /// The requester's full JID.
    public let requester: JID
    public let node: String
    public let sessionID: String

    public init(requester: JID, node: String, sessionID: String) {
        self.requester = requester
        self.node = node
        self.sessionID = sessionID
    }
}

/// A command's answer to one stage.
public enum CommandStep: Sendable {
    /// Show a form and wait for the requester.
    case ask(CommandStage)
    /// The command is done.
    case complete(CommandOutcome)
}

/// A form to fill in, with the provider's name for the stage.
public struct CommandStage: Sendable, Equatable {
    public var id: String
    public var form: DataForm
    /// True when submitting this form finishes the command (the client offers "complete").
    public var isFinal: Bool
    /// An informational line shown with the form.
    public var note: String?
    /// For a stage that is not final: whether the requester may also finish here (the client
    /// offers "complete" beside "next"), as a loop such as a media remote needs.
    public var canComplete: Bool

    public init(id: String, form: DataForm, isFinal: Bool, note: String? = nil, canComplete: Bool = false) {
        self.id = id
        self.form = form
        self.isFinal = isFinal
        self.note = note
        self.canComplete = canComplete
    }
}

/// How a command ended. Exactly one of these reaches the requester: phone clients show only
/// the first payload of a completion.
public enum CommandOutcome: Sendable, Equatable {
    public enum Severity: String, Sendable {
        case info, warn, error
    }

    case note(String, severity: Severity = .info)
    /// A result form: fields, or a table with `reported` columns and `items`.
    case form(DataForm)
    /// The command failed; shown as an error note.
    case failure(String)
}
