import XMPPCore

/// What a fresh transport is, as the session needs to know it.
public struct TransportInfo: Sendable, Equatable {
    public var target: ConnectionTarget
    /// TLS from the first byte (XEP-0368 direct TLS).
    public var isEncrypted: Bool
    /// The peer is a loopback address: the only place plaintext may be allowed.
    public var isLoopback: Bool

    public init(target: ConnectionTarget, isEncrypted: Bool, isLoopback: Bool) {
        self.target = target
        self.isEncrypted = isEncrypted
        self.isLoopback = isLoopback
    }
}

/// The session's timers; at most one of each runs at a time.
enum SessionTimer: Hashable, Sendable, CaseIterable {
    /// From connect to a bound (or resumed) session.
    case negotiation
    /// A short delay that gathers a burst of stanzas under one ack request.
    case ackRequest
    /// A short delay before answering the server's ack request, so the answer can travel with
    /// the stanza we are about to write.
    case ackReply
    /// An ack request or keepalive ping unanswered this long means the connection is dead.
    case ackTimeout
    /// Time to prove the connection alive.
    case keepalive
    /// After our `</stream:stream>`: how long the server may take to close its side.
    case closing
}

/// Something that happened to the session: the input of `ClientSession`, with the time it
/// happened at.
enum SessionEvent: Sendable {
    /// A transport is up (TCP, and TLS already for direct TLS).
    case connected(TransportInfo)
    /// The parser read the server's header, an element, a skipped stanza or the end of stream.
    case stream(StreamEvent)
    /// The server sent XML the stream cannot survive.
    case parseFailed(StreamParseError)
    /// The TLS handshake that `startTLS` began has completed.
    case tlsEstablished
    /// The transport failed (an I/O or TLS error).
    case transportFailed(String)
    /// The transport closed.
    case disconnected
    case timerFired(SessionTimer)
    /// The driver stopped (or resumed) reading because the client is busy: unanswered acks
    /// and pings say nothing about the connection meanwhile.
    case readsPaused(Bool)
    /// Leave: a last ack, then `</stream:stream>`; the session cannot be resumed afterwards.
    case signOff
}
