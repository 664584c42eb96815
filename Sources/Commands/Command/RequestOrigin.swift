/// Which front end a request came through and its stanza id there, set by the front end around
/// the request. Providers that keep an audit read it, so an audit line can say how a run was
/// asked for and be tied to the later report of how its answer was delivered.
public struct RequestOrigin: Sendable, Equatable {
    public enum FrontEnd: String, Sendable {
        case adHoc = "ad-hoc"
        case chat
    }

    public var frontEnd: FrontEnd
    /// The IQ's id (ad-hoc) or the message's id (chat), when the stanza had one.
    public var requestID: String?

    public init(_ frontEnd: FrontEnd, requestID: String?) {
        self.frontEnd = frontEnd
        self.requestID = requestID
    }

    @TaskLocal public static var current: RequestOrigin?
}
