import XMPPCore

/// Which stream a stanza travelled on: the session (a bound resource, kept across resumptions)
/// and the connection within it.
public struct StreamEpoch: Sendable, Equatable, CustomStringConvertible {
    public var session: Int
    public var connection: Int

    public var description: String { "\(session).\(connection)" }
}

/// What identifies an answer to a request, so its delivery can be reported.
public struct AnswerTracking: Sendable, Equatable {
    /// Whom the answer goes to: the request's sender, usually a full JID.
    public var requester: JID
    public var requestID: String
    /// The request payload's namespace (commands, disco, ping...).
    public var namespace: String
    /// The stream the request arrived on.
    public var receivedOn: StreamEpoch
}

/// A stanza on its way out.
struct OutgoingStanza: Sendable, Equatable {
    var element: XMLElement
    var answer: AnswerTracking?
    /// When it was handed over; an answer that waited past the session's answer lifetime for
    /// a connection is dropped rather than sent to someone long gone.
    var queuedAt: ContinuousClock.Instant

    /// Still worth sending on a new session when the old one could not be resumed: answers
    /// (a requester may still wait, and is addressed by full JID) and messages. Presence is
    /// sent afresh by every new session; our own requests are failed and asked again.
    var survivesANewSession: Bool {
        switch element.name {
        case "iq": element[attribute: "type"] == "result" || element[attribute: "type"] == "error"
        case "message": true
        default: false
        }
    }

    var summary: String {
        "<\(element.name)\(element[attribute: "type"].map { " type='\($0)'" } ?? "")> to \(element[attribute: "to"] ?? "the server")"
    }
}

/// How an answer to a request reached (or failed to reach) the server, for the audit.
public struct AnswerDelivery: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// On the connection the request came in on.
        case live
        /// On a resumed stream (XEP-0198) after that connection was lost.
        case afterResumption
        /// On a new session, after the old one could not be resumed.
        case onNewStream
        /// Never sent.
        case dropped(reason: String)

        public var description: String {
            switch self {
            case .live: "live"
            case .afterResumption: "after resumption"
            case .onNewStream: "on a new stream"
            case .dropped(let reason): "dropped: \(reason)"
            }
        }
    }

    public var answer: AnswerTracking
    public var outcome: Outcome
    /// The server acknowledged it (XEP-0198); without stream management only its writing is known.
    public var acknowledged: Bool

    public var description: String {
        "answer \(answer.requestID) to \(answer.requester): \(outcome)" + (acknowledged ? "" : " (written, unacknowledged)")
    }
}
