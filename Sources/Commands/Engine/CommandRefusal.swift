import XMPPCore

/// A request the engine turned away before its command saw it (the requester's rules do
/// not allow the command). Providers that keep an audit trail receive these through the
/// engine's `onRefusal` hook, since their command never runs for such a request.
public struct CommandRefusal: Sendable {
    /// The requester's full JID.
    public let requester: JID
    public let command: any Command
    /// The values of the form the request carried, unchecked, by field.
    public let submitted: [String: [String]]
    /// Why, as a person reads it.
    public let reason: String

    public init(requester: JID, command: any Command, submitted: [String: [String]], reason: String) {
        self.requester = requester
        self.command = command
        self.submitted = submitted
        self.reason = reason
    }
}

/// Told of each refusal; must not block (it runs on the request path).
public typealias CommandRefusalHandler = @Sendable (CommandRefusal) -> Void
