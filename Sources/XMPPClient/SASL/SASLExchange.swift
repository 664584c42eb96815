import XMPPCore

/// One SASL exchange (RFC 6120 §6) step by step, without I/O: PLAIN, or SCRAM with the
/// server's signature checked before success counts.
struct SASLExchange: Sendable {
    enum Step: Sendable, Equatable {
        /// Write this element and wait for the next one.
        case send(XMLElement)
        /// Authenticated: the stream restarts.
        case succeeded
    }

    private enum Stage: Sendable {
        case started
        /// SCRAM: client-final sent; the server's signature comes as a challenge or with success.
        case finalSent
        /// SCRAM: the server's signature arrived as a challenge and checked out.
        case verified
    }

    let mechanism: SASLMechanism
    private var scram: SCRAMClient?
    private var stage = Stage.started
    private let initialResponse: [UInt8]

    init(mechanism: SASLMechanism, username: String, password: String, nonce: String = SCRAMClient.randomNonce()) {
        self.mechanism = mechanism
        switch mechanism {
        case .plain:
            initialResponse = SASLMechanism.plainMessage(username: username, password: password)
        case .scram(let hash):
            let client = SCRAMClient(hash: hash, username: username, password: password, clientNonce: nonce)
            scram = client
            initialResponse = Array(client.clientFirstMessage.utf8)
        }
    }

    /// The `<auth/>` that opens the exchange.
    var authElement: XMLElement {
        XMLElement("auth", namespace: StreamNamespace.sasl, ["mechanism": mechanism.name], children: [.text(Self.encode(initialResponse))])
    }

    /// The next step after the server's element; a failure or a bad server proof throws.
    mutating func receive(_ element: XMLElement) throws(ConnectionError) -> Step {
        guard element.namespace == StreamNamespace.sasl else { throw .unexpectedElement(element.name) }
        if element.name == "failure" {
            let condition = element.elements.first { $0.name != "text" }?.name ?? "not-authorized"
            throw .authentication(.authenticationFailed(condition: condition, text: element.childText("text")))
        }
        guard var scram else {
            guard element.name == "success" else { throw .unexpectedElement(element.name) }
            return .succeeded
        }
        defer { self.scram = scram }
        switch (stage, element.name) {
        case (.started, "challenge"):
            let serverFirst = try Self.decode(element)
            let final: String
            do {
                final = try scram.clientFinalMessage(serverFirst: serverFirst)
            } catch {
                throw .authentication(error)
            }
            stage = .finalSent
            return .send(XMLElement("response", namespace: StreamNamespace.sasl, text: Self.encode(Array(final.utf8))))
        case (.finalSent, "challenge"):
            // Some servers send the server-final message as a challenge and expect an empty response.
            try Self.verify(scram, try Self.decode(element))
            stage = .verified
            return .send(XMLElement("response", namespace: StreamNamespace.sasl))
        case (.finalSent, "success"):
            // A SCRAM success must carry the server's proof that it knows the password.
            try Self.verify(scram, try Self.decode(element))
            return .succeeded
        case (.verified, "success"):
            return .succeeded
        default:
            throw .unexpectedElement(element.name)
        }
    }

    private static func verify(_ scram: SCRAMClient, _ serverFinal: String) throws(ConnectionError) {
        do {
            try scram.verify(serverFinal: serverFinal)
        } catch {
            throw .authentication(error)
        }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        // RFC 6120 §6.4.2: an empty initial response is written as "=".
        bytes.isEmpty ? "=" : Base64.encode(bytes)
    }

    static func decode(_ element: XMLElement) throws(ConnectionError) -> String {
        let text = element.text.filter { !$0.isWhitespace }
        guard text != "=", !text.isEmpty else { return "" }
        guard let bytes = Base64.decode(text) else {
            throw .authentication(.malformedChallenge("not base64"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
