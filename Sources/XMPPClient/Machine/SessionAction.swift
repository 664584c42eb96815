import XMPPCore

/// What the session asks its driver to do: the output of `ClientSession`.
enum SessionAction: Sendable, Equatable {
    /// Write these bytes (a header, a stanza, a stream element, the closing tag).
    case write(String)
    /// Put TLS under the stream now (after `<proceed/>`); report `.tlsEstablished` when done.
    case startTLS
    /// Forget the parser's state: a new stream begins (after TLS or SASL success).
    case restartParser
    case schedule(SessionTimer, after: Duration)
    case cancelTimer(SessionTimer)
    case closeTransport
    /// The session is ready for stanzas.
    case established(Establishment)
    /// A stanza for the application.
    case deliver(XMLElement)
    /// A stanza the parser skipped for breaking a limit, for the application to answer.
    case deliverSkipped(SkippedStanza)
    /// What became of an answer to a request.
    case report(AnswerDelivery)
    /// A stanza that will never be sent, and why: for the log.
    case discarded(String)
    /// The connection is over (exactly once per `.connected`); whether the session survives it.
    case ended(SessionEnd)
}

/// How the session came to be ready.
enum Establishment: Sendable, Equatable {
    /// A new session bound to `jid`: roster and presence must be set up afresh.
    case newSession(jid: JID, mechanism: String, streamManagement: Bool)
    /// The previous session resumed (XEP-0198): the server kept its roster and presence.
    case resumed(jid: JID, mechanism: String)
}

/// Why a connection ended, and what the next one can do about it.
struct SessionEnd: Sendable, Equatable, CustomStringConvertible {
    var error: ConnectionError
    /// The session (XEP-0198) can be resumed on a new connection.
    var resumable: Bool
    /// Where the server asked us to go instead (`see-other-host`).
    var redirect: ConnectionTarget?
    /// The session was online before it ended.
    var wasOnline: Bool

    var description: String { "\(error)" + (resumable ? " (resumable)" : "") }
}
