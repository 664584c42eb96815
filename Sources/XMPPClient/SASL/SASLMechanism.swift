/// The SASL mechanisms the client speaks, strongest first.
public enum SASLMechanism: Sendable, Equatable, CustomStringConvertible {
    case scram(SCRAMHash)
    case plain

    public static let preferenceOrder: [SASLMechanism] = [.scram(.sha256), .scram(.sha1), .plain]

    public var name: String {
        switch self {
        case .scram(let hash): hash.mechanismName
        case .plain: "PLAIN"
        }
    }

    public var description: String { name }

    /// The strongest offered mechanism we accept: PLAIN sends the password itself, so only
    /// inside TLS. `allowed` narrows the choice (from configuration), nil means all.
    public static func choose(offered: [String], encrypted: Bool, allowed: Set<String>? = nil) throws(SASLError) -> SASLMechanism {
        let offeredSet = Set(offered.map { $0.uppercased() })
        for mechanism in preferenceOrder where offeredSet.contains(mechanism.name) {
            if let allowed, !allowed.contains(mechanism.name) { continue }
            if mechanism == .plain && !encrypted { continue }
            return mechanism
        }
        throw .noAcceptableMechanism(offered: offered, encrypted: encrypted)
    }

    /// PLAIN's single message: authzid (empty), authcid, password (RFC 4616).
    static func plainMessage(username: String, password: String) -> [UInt8] {
        [0] + Array(username.utf8) + [0] + Array(password.utf8)
    }
}
