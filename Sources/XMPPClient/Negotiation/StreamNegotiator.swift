import Logging
import NIOSSL
import XMPPCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a finished negotiation established.
struct NegotiatedStream: Sendable {
    var boundJID: JID
    var mechanism: SASLMechanism
    var encrypted: Bool
}

typealias StreamEvents = AsyncThrowingStream<StreamEvent, any Error>.Iterator

/// Takes a fresh connection from the first stream header to a bound resource (RFC 6120
/// §5–§7): STARTTLS, SASL, stream restarts, resource binding, and the legacy session
/// establishment some servers still require.
struct StreamNegotiator {
    let connection: StreamConnection
    let configuration: ClientConfiguration
    let logger: Logger

    private var domain: String { configuration.account.domain }

    func negotiate(_ events: inout StreamEvents) async throws -> NegotiatedStream {
        var encrypted = connection.target.directTLS
        var features = try await openStream(&events, encrypted: encrypted)

        if !encrypted {
            if features.child("starttls", namespace: StreamNamespace.tls) != nil, configuration.tls != .plaintext {
                try await connection.send(XMLElement("starttls", namespace: StreamNamespace.tls))
                let answer = try await nextElement(&events)
                guard answer.name == "proceed", answer.namespace == StreamNamespace.tls else {
                    throw ConnectionError.tlsFailed("the server refused STARTTLS (<\(answer.name)/>)")
                }
                try await connection.startTLS(configuration.tlsSettings, serverName: domain)
                encrypted = true
                features = try await openStream(&events, encrypted: encrypted)
            } else if configuration.tls != .plaintext {
                throw ConnectionError.tlsUnavailable
            } else if !connection.isLoopback {
                throw ConnectionError.plaintextNotAllowed(connection.target.host)
            }
        }

        let offered = features.child("mechanisms", namespace: StreamNamespace.sasl)?
            .children("mechanism", namespace: StreamNamespace.sasl).map(\.text) ?? []
        let mechanism: SASLMechanism
        do {
            mechanism = try SASLMechanism.choose(offered: offered, encrypted: encrypted, allowed: configuration.allowedMechanisms)
        } catch {
            throw ConnectionError.authentication(error)
        }
        logger.debug("authenticating", metadata: ["mechanism": "\(mechanism)"])
        try await authenticate(with: mechanism, &events)

        try await connection.restartParser()
        features = try await openStream(&events, encrypted: encrypted)
        let boundJID = try await bindResource(&events, features: features)
        try await establishSessionIfRequired(&events, features: features)
        return NegotiatedStream(boundJID: boundJID, mechanism: mechanism, encrypted: encrypted)
    }

    // MARK: Stream

    /// Sends our stream header and waits for the server's header and features.
    private func openStream(_ events: inout StreamEvents, encrypted: Bool) async throws -> XMLElement {
        // The account is named only once the stream is encrypted (RFC 6120 §4.7.1).
        let header = StreamHeader(from: encrypted ? configuration.account.description : nil, to: domain, language: "en")
        try await connection.send(.open(header))
        switch try await nextEvent(&events) {
        case .opened(let serverHeader):
            if let version = serverHeader.version, version.hasPrefix("0") || version.isEmpty {
                throw ConnectionError.streamError(StreamError(.unsupportedVersion, text: "server speaks version \(version)"))
            }
            guard serverHeader.contentNamespace == StreamNamespace.client else {
                throw ConnectionError.streamError(StreamError(.invalidNamespace, text: serverHeader.contentNamespace))
            }
        case .element(let element):
            throw ConnectionError.unexpectedElement(element.name)
        case .skipped(let skipped):
            throw ConnectionError.unexpectedElement(skipped.name)
        case .closed:
            throw ConnectionError.streamClosed
        }
        let features = try await nextElement(&events)
        guard features.name == "features", features.namespace == StreamNamespace.stream else {
            throw ConnectionError.unexpectedElement(features.name)
        }
        try await connection.use(OutgoingBudget(features: features))
        return features
    }

    private func nextEvent(_ events: inout StreamEvents) async throws -> StreamEvent {
        do {
            guard let event = try await events.next() else { throw ConnectionError.streamClosed }
            return event
        } catch let error as ConnectionError {
            throw error
        } catch {
            throw ConnectionError(transportError: error)
        }
    }

    /// The next top-level element; a stream error or end of stream becomes a thrown error.
    private func nextElement(_ events: inout StreamEvents) async throws -> XMLElement {
        switch try await nextEvent(&events) {
        case .element(let element):
            if element.name == "error", element.namespace == StreamNamespace.stream {
                throw ConnectionError.streamError(StreamError(element: element))
            }
            return element
        case .skipped(let skipped):
            throw ConnectionError.unexpectedElement("\(skipped.name) (\(skipped.reason))")
        case .closed:
            throw ConnectionError.streamClosed
        case .opened:
            throw ConnectionError.unexpectedElement("stream:stream")
        }
    }

    // MARK: SASL

    private func authenticate(with mechanism: SASLMechanism, _ events: inout StreamEvents) async throws {
        let username = configuration.account.localpart ?? ""
        let password = configuration.password.value
        switch mechanism {
        case .plain:
            try await sendAuth(mechanism, SASLMechanism.plainMessage(username: username, password: password))
            let outcome = try await nextSASLElement(&events)
            guard outcome.name == "success" else { throw ConnectionError.unexpectedElement(outcome.name) }
        case .scram(let hash):
            var scram = SCRAMClient(hash: hash, username: username, password: password)
            try await sendAuth(mechanism, Array(scram.clientFirstMessage.utf8))
            let challenge = try await nextSASLElement(&events)
            guard challenge.name == "challenge" else { throw ConnectionError.unexpectedElement(challenge.name) }
            let clientFinal: String
            do {
                clientFinal = try scram.clientFinalMessage(serverFirst: try decode(challenge))
            } catch let error as SASLError {
                try? await abortSASL()
                throw ConnectionError.authentication(error)
            }
            try await connection.send(XMLElement("response", namespace: StreamNamespace.sasl, text: encode(Array(clientFinal.utf8))))
            var outcome = try await nextSASLElement(&events)
            // Some servers send the server-final message as a challenge and expect an empty response.
            if outcome.name == "challenge" {
                try verify(scram, serverFinal: try decode(outcome))
                try await connection.send(XMLElement("response", namespace: StreamNamespace.sasl))
                outcome = try await nextSASLElement(&events)
                guard outcome.name == "success" else { throw ConnectionError.unexpectedElement(outcome.name) }
                return
            }
            guard outcome.name == "success" else { throw ConnectionError.unexpectedElement(outcome.name) }
            // A SCRAM success must carry the server's proof that it knows the password.
            try verify(scram, serverFinal: try decode(outcome))
        }
    }

    private func verify(_ scram: SCRAMClient, serverFinal: String) throws {
        do {
            try scram.verify(serverFinal: serverFinal)
        } catch {
            throw ConnectionError.authentication(error)
        }
    }

    private func sendAuth(_ mechanism: SASLMechanism, _ initialResponse: [UInt8]) async throws {
        try await connection.send(XMLElement("auth", namespace: StreamNamespace.sasl, ["mechanism": mechanism.name], children: [.text(encode(initialResponse))]))
    }

    private func abortSASL() async throws {
        try await connection.send(XMLElement("abort", namespace: StreamNamespace.sasl))
    }

    /// The next SASL element; `<failure/>` becomes an authentication error.
    private func nextSASLElement(_ events: inout StreamEvents) async throws -> XMLElement {
        let element = try await nextElement(&events)
        guard element.namespace == StreamNamespace.sasl else { throw ConnectionError.unexpectedElement(element.name) }
        if element.name == "failure" {
            let condition = element.elements.first { $0.name != "text" }?.name ?? "not-authorized"
            throw ConnectionError.authentication(.authenticationFailed(condition: condition, text: element.childText("text")))
        }
        return element
    }

    private func encode(_ bytes: [UInt8]) -> String {
        // RFC 6120 §6.4.2: an empty initial response is written as "=".
        bytes.isEmpty ? "=" : Data(bytes).base64EncodedString()
    }

    private func decode(_ element: XMLElement) throws -> String {
        let text = element.text.filter { !$0.isWhitespace }
        guard text != "=", !text.isEmpty else { return "" }
        guard let data = Data(base64Encoded: text) else {
            throw ConnectionError.authentication(.malformedChallenge("not base64"))
        }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Binding

    private func bindResource(_ events: inout StreamEvents, features: XMLElement) async throws -> JID {
        guard features.child("bind", namespace: StreamNamespace.bind) != nil else {
            throw ConnectionError.unexpectedElement("features without <bind/>")
        }
        var bind = XMLElement("bind", namespace: StreamNamespace.bind)
        bind.append(XMLElement("resource", namespace: StreamNamespace.bind, text: configuration.resource))
        let answer = try await exchange(IQ(.set, id: "bind-1", payload: bind), &events)
        if let error = answer.error { throw ConnectionError.bindFailed(error) }
        guard let text = answer.payload?.childText("jid", namespace: StreamNamespace.bind), let jid = try? JID(text), jid.isFull else {
            throw ConnectionError.bindFailed(StanzaError(.badRequest, text: "the bind result carries no valid full JID"))
        }
        if jid.resource != configuration.resource {
            logger.notice("the server assigned another resource", metadata: ["resource": "\(jid.resource ?? "")"])
        }
        return jid
    }

    /// RFC 3921 session establishment, for servers that still mark it mandatory.
    private func establishSessionIfRequired(_ events: inout StreamEvents, features: XMLElement) async throws {
        guard let session = features.child("session", namespace: StreamNamespace.session),
              session.child("optional") == nil
        else { return }
        let answer = try await exchange(IQ(.set, id: "session-1", payload: XMLElement("session", namespace: StreamNamespace.session)), &events)
        if let error = answer.error { throw ConnectionError.bindFailed(error) }
    }

    /// Sends a request and waits for its answer; nothing else flows before binding completes.
    private func exchange(_ request: IQ, _ events: inout StreamEvents) async throws -> IQ {
        try await connection.send(request.element)
        while true {
            let element = try await nextElement(&events)
            let answer = IQ(element: element)
            if element.name == "iq", answer.id == request.id, answer.kind == .result || answer.kind == .error {
                return answer
            }
            logger.debug("ignoring an element during negotiation", metadata: ["element": "\(element.name)"])
        }
    }
}

extension ConnectionError {
    /// Names what went wrong below the stream: TLS, malformed XML, or the socket.
    init(transportError error: any Error) {
        switch error {
        case let error as StreamParseError:
            self = .malformedStream(error)
        case let error as NIOSSLError:
            self = .tlsFailed("\(error)")
        case let error as BoringSSLError:
            self = .tlsFailed("\(error)")
        default:
            self = .connectFailed(target: "the server", reason: "\(error)")
        }
    }
}
