import Foundation
import Testing
import XMPPCore
@testable import XMPPClient

/// Drives a `ClientSession` through a scripted conversation, without a server: the server's
/// lines are parsed by the real stream parser, what the session writes is compared as text,
/// and time moves only when the script says so.
struct Transcript {
    static let domain = "example.org"
    static let serverHeader = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        + "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='example.org' version='1.0'>"
    static let clientHeaderPlain = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        + "xmlns:stream='http://etherx.jabber.org/streams' to='example.org' version='1.0' xml:lang='en'>"
    static let clientHeaderEncrypted = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        + "xmlns:stream='http://etherx.jabber.org/streams' from='user@example.org' to='example.org' version='1.0' xml:lang='en'>"
    static let starttlsFeatures = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
    static let plainFeatures = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        + "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"
    static let scramFeatures = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        + "<mechanism>SCRAM-SHA-256</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
    static let boundFeatures = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        + "<sm xmlns='urn:xmpp:sm:3'/></stream:features>"
    static let boundFeaturesWithoutSM = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
    /// `user:pencil` for PLAIN.
    static let plainAuth = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AHVzZXIAcGVuY2ls</auth>"
    static let bindRequest = "<iq type='set' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
        + "<resource>adhocd</resource></bind></iq>"
    static let bindResult = "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
        + "<jid>user@example.org/adhocd</jid></bind></iq>"
    static let enable = "<enable xmlns='urn:xmpp:sm:3' resume='true' max='300'/>"

    var session: ClientSession
    var now = ContinuousClock.now
    private var parser = XMLStreamParser()
    /// Everything the session did, in order, since the last `take()`.
    private(set) var actions: [SessionAction] = []

    init(_ configure: (inout ClientSession.Settings) -> Void = { _ in }) {
        var settings = ClientSession.Settings(configuration: ClientConfiguration(
            account: (try? JID("user@example.org"))!, password: Secret("pencil"),
            keepaliveInterval: .seconds(60), pingTimeout: .seconds(20)))
        settings.makeNonce = { "rOprNGfwEbeRWgbNEkqO" }
        configure(&settings)
        session = ClientSession(settings: settings)
    }

    static let target = ConnectionTarget(host: "xmpp.example.org", port: 5222, directTLS: false)

    mutating func connect(directTLS: Bool = false, loopback: Bool = false, target: ConnectionTarget = Transcript.target) {
        parser = XMLStreamParser()
        record(session.handle(.connected(TransportInfo(target: target, isEncrypted: directTLS, isLoopback: loopback)), at: now))
    }

    /// The server says `text` (any number of top-level elements, or the header).
    mutating func server(_ text: String) {
        let events: [StreamEvent]
        do {
            events = try parser.feed(text)
        } catch {
            record(session.handle(.parseFailed(error), at: now))
            return
        }
        for event in events { record(session.handle(.stream(event), at: now)) }
    }

    mutating func event(_ event: SessionEvent) {
        record(session.handle(event, at: now))
    }

    mutating func fire(_ timer: SessionTimer) {
        record(session.handle(.timerFired(timer), at: now))
    }

    mutating func advance(_ duration: Duration) {
        now += duration
    }

    @discardableResult
    mutating func send(_ element: XMLElement, answering tracking: AnswerTracking? = nil) -> ClientSession.SendResult {
        let (result, actions) = session.send(OutgoingStanza(element: element, answer: tracking, queuedAt: now), at: now)
        record(actions)
        return result
    }

    private mutating func record(_ new: [SessionAction]) {
        for action in new where action == .restartParser { parser.reset() }
        actions += new
    }

    /// Everything since the last take, and forget it.
    mutating func take() -> [SessionAction] {
        defer { actions.removeAll() }
        return actions
    }

    /// The texts written since the last take (other actions are dropped with them).
    mutating func writes() -> [String] {
        take().compactMap { if case .write(let text) = $0 { text } else { nil } }
    }

    // MARK: Common openings

    /// STARTTLS, PLAIN, bind, and XEP-0198 enabled with resumption: online.
    mutating func logIn(resumptionID: String = "sm-1", max: String? = "300", location: String? = nil, streamManagement: Bool = true) {
        connect()
        server(Self.serverHeader + Self.starttlsFeatures)
        server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        event(.tlsEstablished)
        server(Self.serverHeader + Self.plainFeatures)
        server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        server(Self.serverHeader + (streamManagement ? Self.boundFeatures : Self.boundFeaturesWithoutSM))
        server(Self.bindResult)
        if streamManagement {
            var enabled = "<enabled xmlns='urn:xmpp:sm:3' id='\(resumptionID)' resume='true'"
            if let max { enabled += " max='\(max)'" }
            if let location { enabled += " location='\(location)'" }
            server(enabled + "/>")
        }
        _ = take()
    }

    /// Reconnects up to the point where resumption or binding is chosen (after SASL).
    mutating func reconnectThroughAuthentication(target: ConnectionTarget = Transcript.target) {
        connect(target: target)
        server(Self.serverHeader + Self.starttlsFeatures)
        server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        event(.tlsEstablished)
        server(Self.serverHeader + Self.plainFeatures)
        server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        _ = take()
    }
}

extension Array where Element == SessionAction {
    var writes: [String] { compactMap { if case .write(let text) = $0 { text } else { nil } } }

    var end: SessionEnd? {
        for case .ended(let end) in self { return end }
        return nil
    }

    var reports: [AnswerDelivery] { compactMap { if case .report(let report) = $0 { report } else { nil } } }

    var deliveries: [XMLElement] { compactMap { if case .deliver(let element) = $0 { element } else { nil } } }

    var establishment: Establishment? {
        for case .established(let establishment) in self { return establishment }
        return nil
    }

    func schedules(_ timer: SessionTimer) -> Bool {
        contains { if case .schedule(timer, _) = $0 { true } else { false } }
    }
}

func message(_ id: String, to: String = "friend@example.net/phone") -> XMLElement {
    XMLElement("message", namespace: StreamNamespace.client, ["type": "chat", "id": id, "to": to], children: [
        .element(XMLElement("body", namespace: StreamNamespace.client, text: id)),
    ])
}

func answer(_ id: String, to: String = "friend@example.net/phone") -> XMLElement {
    XMLElement("iq", namespace: StreamNamespace.client, ["type": "result", "id": id, "to": to])
}

func tracking(_ id: String, epoch: StreamEpoch) -> AnswerTracking {
    AnswerTracking(requester: (try? JID("friend@example.net/phone"))!, requestID: id, namespace: "http://jabber.org/protocol/commands", receivedOn: epoch)
}
