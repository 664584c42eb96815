
/// The hash a SCRAM mechanism is built on.
public enum SCRAMHash: Sendable, CaseIterable {
    case sha1, sha256

    public var mechanismName: String {
        switch self {
        case .sha1: "SCRAM-SHA-1"
        case .sha256: "SCRAM-SHA-256"
        }
    }

    private var digest: Digest {
        switch self {
        case .sha1: .sha1
        case .sha256: .sha256
        }
    }

    func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] { digest.hmac(key: key, data: data) }

    func hash(_ data: [UInt8]) -> [UInt8] { digest.hash(data) }

    /// Compares an HMAC in constant time, so a forged server signature leaks nothing by timing.
    func isValid(signature: [UInt8], key: [UInt8], data: [UInt8]) -> Bool {
        Digest.constantTimeEqual(signature, digest.hmac(key: key, data: data))
    }

    func saltedPassword(_ password: [UInt8], salt: [UInt8], iterations: Int) throws(SASLError) -> [UInt8] {
        guard let key = digest.pbkdf2(password: password, salt: salt, iterations: iterations) else {
            throw .malformedChallenge("key derivation failed (libcrypto could not allocate)")
        }
        return key
    }
}

/// The client side of a SCRAM exchange (RFC 5802, RFC 7677) without channel binding.
///
/// The username and password are used as given (UTF-8); SASLprep is not applied, which only
/// matters for passwords with unusual Unicode (non-ASCII spaces, compatibility characters).
public struct SCRAMClient: Sendable {
    public let hash: SCRAMHash
    private let username: String
    private let password: String
    private let clientNonce: String
    private var expectedServerSignature: [UInt8]?
    private var serverKey: [UInt8] = []
    private var authMessage: [UInt8] = []

    /// The GS2 header: "n" = this client does not support channel binding.
    private static let gs2Header = "n,,"
    /// More rounds than this is a server trying to burn our CPU.
    static let maximumIterations = 1_000_000

    public init(hash: SCRAMHash, username: String, password: String, clientNonce: String = SCRAMClient.randomNonce()) {
        self.hash = hash
        self.username = username
        self.password = password
        self.clientNonce = clientNonce
    }

    private var clientFirstBare: String { "n=\(SCRAMClient.escape(username)),r=\(clientNonce)" }

    public var clientFirstMessage: String { SCRAMClient.gs2Header + clientFirstBare }

    /// Answers the server's challenge with the client proof.
    public mutating func clientFinalMessage(serverFirst: String) throws(SASLError) -> String {
        let attributes = try SCRAMClient.attributes(of: serverFirst)
        if attributes["m"] != nil { throw .malformedChallenge("the server requires a SCRAM extension") }
        guard let nonce = attributes["r"], nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw .nonceMismatch
        }
        guard let saltText = attributes["s"], let salt = SCRAMClient.base64Decode(saltText), !salt.isEmpty else {
            throw .malformedChallenge("missing or invalid salt")
        }
        guard let iterationsText = attributes["i"], let iterations = Int(iterationsText),
              (1...SCRAMClient.maximumIterations).contains(iterations)
        else { throw .malformedChallenge("missing or unacceptable iteration count") }

        let salted = try hash.saltedPassword(Array(password.utf8), salt: salt, iterations: iterations)
        let clientKey = hash.hmac(key: salted, data: Array("Client Key".utf8))
        let storedKey = hash.hash(clientKey)
        let channelBinding = Base64.encode(SCRAMClient.gs2Header.utf8)
        let finalWithoutProof = "c=\(channelBinding),r=\(nonce)"
        authMessage = Array("\(clientFirstBare),\(serverFirst),\(finalWithoutProof)".utf8)
        let clientSignature = hash.hmac(key: storedKey, data: authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        serverKey = hash.hmac(key: salted, data: Array("Server Key".utf8))
        expectedServerSignature = hash.hmac(key: serverKey, data: authMessage)
        return finalWithoutProof + ",p=" + Base64.encode(proof)
    }

    /// Checks the server's final message: it must prove the server knows the password too.
    public func verify(serverFinal: String) throws(SASLError) {
        let attributes = try SCRAMClient.attributes(of: serverFinal)
        if let error = attributes["e"] { throw .serverRejected(error) }
        guard expectedServerSignature != nil else { throw .malformedChallenge("the exchange is not finished") }
        guard let verifier = attributes["v"], let signature = SCRAMClient.base64Decode(verifier) else {
            throw .malformedChallenge("missing server signature")
        }
        guard hash.isValid(signature: signature, key: serverKey, data: authMessage) else {
            throw .serverSignatureMismatch
        }
    }

    // MARK: Helpers

    /// RFC 5802 §5.1: ',' and '=' in a username are written as "=2C" and "=3D".
    static func escape(_ name: String) -> String {
        name.replacing("=", with: "=3D").replacing(",", with: "=2C")
    }

    static func attributes(of message: String) throws(SASLError) -> [String: String] {
        var result: [String: String] = [:]
        for part in message.split(separator: ",", omittingEmptySubsequences: false) {
            guard part.count >= 2, part.dropFirst().first == "=", let key = part.first else {
                throw .malformedChallenge("unexpected attribute \"\(part.prefix(20))\"")
            }
            result[String(key)] = String(part.dropFirst(2))
        }
        return result
    }

    static func base64Decode(_ text: String) -> [UInt8]? {
        Base64.decode(text)
    }

    /// 24 random bytes from the system generator, base64 (printable, no commas).
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
