import XMPPCore

/// Why a connection could not be made or did not last.
public enum ConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectFailed(target: String, reason: String)
    case noTargetReachable([String])
    case tlsConfiguration(String)
    case tlsUnavailable
    case tlsFailed(String)
    case plaintextNotAllowed(String)
    case negotiationTimedOut
    case streamClosed
    /// The connection broke (reset, EOF without a closing tag, an I/O error).
    case connectionLost(String)
    /// The server broke a protocol rule we cannot continue after.
    case protocolViolation(String)
    /// Too many stanzas wait for a connection; this one was not taken.
    case outboxFull
    /// DNS says the domain offers no XMPP service (an SRV record with target ".").
    case serviceNotOffered(String)
    case streamError(StreamError)
    case malformedStream(StreamParseError)
    case unexpectedElement(String)
    case authentication(SASLError)
    case bindFailed(StanzaError)
    case pingTimedOut
    case notConnected
    case requestTimedOut(id: String)
    case duplicateRequestID(String)
    case stanzaTooLarge(String)
    case shuttingDown

    public var description: String {
        switch self {
        case .connectFailed(let target, let reason): "could not connect to \(target): \(reason)"
        case .noTargetReachable(let reasons): "no server address was reachable (\(reasons.joined(separator: "; ")))"
        case .tlsConfiguration(let reason): "invalid TLS settings: \(reason)"
        case .tlsUnavailable: "the server does not offer STARTTLS and TLS is required"
        case .tlsFailed(let reason): "TLS failed: \(reason)"
        case .plaintextNotAllowed(let host): "refusing an unencrypted connection to \(host): plaintext is allowed only to a loopback address"
        case .negotiationTimedOut: "the server did not complete stream negotiation in time"
        case .streamClosed: "the server closed the stream"
        case .connectionLost(let reason): "the connection was lost: \(reason)"
        case .protocolViolation(let reason): "the server broke the protocol: \(reason)"
        case .outboxFull: "too many stanzas are waiting for a connection"
        case .serviceNotOffered(let domain): "\(domain) says it offers no XMPP service (its SRV records have the target \".\")"
        case .streamError(let error): "the server ended the stream: \(error)"
        case .malformedStream(let error): "the server sent malformed XML: \(error)"
        case .unexpectedElement(let name): "unexpected <\(name)> during negotiation"
        case .authentication(let error): error.description
        case .bindFailed(let error): "resource binding failed: \(error)"
        case .pingTimedOut: "the server did not answer a keepalive ping in time"
        case .notConnected: "not connected"
        case .requestTimedOut(let id): "no answer to request \(id) in time"
        case .duplicateRequestID(let id): "a request with id \(id) is already waiting for its answer"
        case .stanzaTooLarge(let reason): "not sent: \(reason)"
        case .shuttingDown: "shutting down"
        }
    }

    /// Authentication failures are reported once per attempt, not as noisy transport errors.
    public var isAuthenticationFailure: Bool {
        if case .authentication(.authenticationFailed) = self { return true }
        return false
    }
}
