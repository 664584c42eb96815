/// Why authentication did not succeed.
public enum SASLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server said no: wrong password, unknown account, disabled account.
    case authenticationFailed(condition: String, text: String?)
    /// None of the offered mechanisms is one we accept on this connection.
    case noAcceptableMechanism(offered: [String], encrypted: Bool)
    case malformedChallenge(String)
    case nonceMismatch
    /// The server could not prove it knows the password: not the server we meant to talk to.
    case serverSignatureMismatch
    case serverRejected(String)

    public var description: String {
        switch self {
        case .authenticationFailed(let condition, let text):
            "authentication failed (\(condition))" + (text.map { ": \($0)" } ?? "")
                + "; check the account's jid and password"
        case .noAcceptableMechanism(let offered, let encrypted):
            "the server offers no acceptable SASL mechanism (offered: \(offered.joined(separator: ", ")); "
                + (encrypted ? "we accept SCRAM-SHA-256, SCRAM-SHA-1 and PLAIN)" : "PLAIN needs TLS)")
        case .malformedChallenge(let detail):
            "the server's SASL challenge is malformed: \(detail)"
        case .nonceMismatch:
            "the server's SCRAM nonce does not extend ours"
        case .serverSignatureMismatch:
            "the server's SCRAM signature is wrong: it does not know the password, so it is not the real server"
        case .serverRejected(let reason):
            "the server rejected the SCRAM exchange: \(reason)"
        }
    }
}
