import NIOCore
import XMPPCore

/// Stream negotiation (RFC 6120 §5–§7): STARTTLS, SASL, stream restarts, resource binding and
/// the legacy session some servers still require; then XEP-0198 enable or resume.
extension ClientSession {
    /// Sends our stream header; the account is named only once the stream is encrypted
    /// (RFC 6120 §4.7.1).
    mutating func openStream() {
        let header = StreamHeader(from: encrypted ? settings.account.description : nil, to: settings.account.domain, language: "en")
        emit(.write(header.opening))
        phase = .awaitingHeader
    }

    mutating func receiveFeatures(_ features: XMLElement) {
        budget = OutgoingBudget(features: features)
        switch stage {
        case .initial where !encrypted:
            if features.child("starttls", namespace: StreamNamespace.tls) != nil, settings.tls != .plaintext {
                write(XMLElement("starttls", namespace: StreamNamespace.tls))
                phase = .awaitingProceed
            } else if settings.tls != .plaintext {
                emit(.write(StreamHeader.closing))
                end(.tlsUnavailable)
            } else if transport?.isLoopback != true {
                emit(.write(StreamHeader.closing))
                end(.plaintextNotAllowed(transport?.target.host ?? "the server"))
            } else {
                authenticate(features)
            }
        case .initial, .secured:
            authenticate(features)
        case .authenticated:
            authenticatedFeatures = features
            resumeOrBind()
        }
    }

    private mutating func authenticate(_ features: XMLElement) {
        let offered = features.child("mechanisms", namespace: StreamNamespace.sasl)?
            .children("mechanism", namespace: StreamNamespace.sasl).map(\.text) ?? []
        do {
            let mechanism = try SASLMechanism.choose(offered: offered, encrypted: encrypted, allowed: settings.allowedMechanisms)
            let exchange = SASLExchange(
                mechanism: mechanism, username: settings.account.localpart ?? "", password: settings.password.value,
                nonce: settings.makeNonce())
            write(exchange.authElement)
            sasl = exchange
            phase = .authenticating
        } catch {
            emit(.write(StreamHeader.closing))
            end(.authentication(error))
        }
    }

    mutating func authenticationStep(_ element: XMLElement) {
        guard var exchange = sasl else { return }
        do {
            switch try exchange.receive(element) {
            case .send(let next):
                sasl = exchange
                write(next)
            case .succeeded:
                mechanism = exchange.mechanism.name
                sasl = nil
                stage = .authenticated
                emit(.restartParser)
                openStream()
            }
        } catch {
            emit(.write(StreamHeader.closing))
            end(error)
        }
    }

    private var offersStreamManagement: Bool {
        settings.streamManagement && authenticatedFeatures?.child("sm", namespace: StreamManagement.namespace) != nil
    }

    private mutating func resumeOrBind() {
        if let resumption = management.resumption {
            if offersStreamManagement {
                write(StreamManagement.element("resume", ["h": String(management.inbound), "previd": resumption.id]))
                phase = .resuming
                return
            }
            abandonResumption(because: "the server no longer offers stream management")
        }
        bind()
    }

    private mutating func bind() {
        guard authenticatedFeatures?.child("bind", namespace: StreamNamespace.bind) != nil else {
            return endWithStreamError(StreamError(.unsupportedFeature), because: .unexpectedElement("features without <bind/>"))
        }
        var bind = XMLElement("bind", namespace: StreamNamespace.bind)
        bind.append(XMLElement("resource", namespace: StreamNamespace.bind, text: settings.resource))
        write(IQ(.set, id: Self.bindID, payload: bind).element)
        phase = .binding
    }

    mutating func bindingAnswer(_ element: XMLElement) {
        let answer = IQ(element: element)
        let expected = phase == .binding ? Self.bindID : Self.legacySessionID
        guard element.name == "iq", element.namespace == StreamNamespace.client, answer.id == expected,
              answer.kind == .result || answer.kind == .error
        else { return }
        if let error = answer.error {
            emit(.write(StreamHeader.closing))
            return end(.bindFailed(error))
        }
        if phase == .binding {
            guard let text = answer.payload?.childText("jid", namespace: StreamNamespace.bind), let jid = try? JID(text), jid.isFull,
                  jid.bare == settings.account
            else {
                emit(.write(StreamHeader.closing))
                return end(.bindFailed(StanzaError(.badRequest, text: "the bind result carries no valid full JID of our account")))
            }
            boundJID = jid
            epoch.session += 1
            // RFC 3921 session establishment, for servers that still mark it mandatory.
            if let session = authenticatedFeatures?.child("session", namespace: StreamNamespace.session), session.child("optional") == nil {
                write(IQ(.set, id: Self.legacySessionID, payload: XMLElement("session", namespace: StreamNamespace.session)).element)
                phase = .establishingSession
                return
            }
        }
        if offersStreamManagement {
            management.startCounting()
            write(StreamManagement.element("enable", [
                "resume": "true", "max": settings.preferredResumptionTime.map { String($0.components.seconds) },
            ]))
            phase = .enabling
        } else {
            establishNewSession(streamManagement: false)
        }
    }

    mutating func enablingAnswer(_ element: XMLElement) {
        if element.name == "enabled" {
            let resume = element[attribute: "resume"]
            if resume == "true" || resume == "1", let id = element[attribute: "id"], !id.isEmpty {
                management.resumption = StreamManagement.Resumption(
                    id: id, location: element[attribute: "location"],
                    maximum: element[attribute: "max"].flatMap { Int64($0) }.map { Duration.seconds($0) })
            }
            establishNewSession(streamManagement: true)
        } else {
            // Acks and resumption are off for this session; stanzas flow all the same.
            management = StreamManagement()
            establishNewSession(streamManagement: false)
        }
    }

    private mutating func establishNewSession(streamManagement: Bool) {
        guard let boundJID else { return }
        goOnline()
        emit(.established(.newSession(jid: boundJID, mechanism: mechanism ?? "", streamManagement: streamManagement)))
        flush()
    }

    mutating func resumptionAnswer(_ element: XMLElement) {
        guard element.namespace == StreamManagement.namespace else { return }
        switch element.name {
        case "resumed":
            guard let handled = StreamManagement.readCount(element), let boundJID else {
                return endWithStreamError(StreamError(.invalidXML), because: .protocolViolation("<resumed/> without a valid 'h'"))
            }
            guard confirm(upTo: handled) else { return }
            // What the server did not get goes out again, first, in its order.
            let resend = management.takeForResending()
            for entry in resend.reversed() { outbox.prepend(entry.stanza) }
            management.isCounting = true
            management.resumption?.lostAt = nil
            goOnline()
            emit(.established(.resumed(jid: boundJID, mechanism: mechanism ?? "")))
            flush()
        case "failed":
            // The server may say what it received before the session was lost (XEP-0198 §5).
            if let handled = StreamManagement.readCount(element) { _ = try? confirmAcknowledged(upTo: handled) }
            let condition = element.elements.first?.name ?? "no reason given"
            abandonResumption(because: "the server could not resume the session (\(condition))")
            bind()
        default:
            break
        }
    }

    private mutating func goOnline() {
        phase = .online
        wasOnline = true
        cancel(.negotiation)
        schedule(.keepalive, after: settings.keepaliveInterval)
    }

    /// The session cannot be resumed: answers and messages wait for the next session, the
    /// rest is dropped (presence is sent afresh; our own requests are failed and asked again).
    mutating func abandonResumption(because reason: String) {
        let unacknowledged = management.abandon()
        boundJID = nil
        var kept: [OutgoingStanza] = []
        for entry in unacknowledged {
            if entry.stanza.survivesANewSession { kept.append(entry.stanza) } else { drop(entry.stanza, because: reason) }
        }
        for stanza in kept.reversed() { outbox.prepend(stanza) }
    }
}
