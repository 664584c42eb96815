import Testing
import XMPPCore
@testable import XMPPClient

/// XEP-0198 acks and resumption, one scripted conversation per branch (no server).
@Suite struct StreamManagementTranscriptTests {
    typealias T = Transcript

    @Test func countsBothWaysAnswersAckRequestsAndReportsAcknowledgedAnswers() throws {
        var t = Transcript()
        t.logIn()
        let requestEpoch = t.session.epoch
        t.server("<iq type='get' id='q1' from='friend@example.net/phone'><ping xmlns='urn:xmpp:ping'/></iq><message from='friend@example.net/phone'><body>hi</body></message>")
        #expect(t.take().deliveries.count == 2)
        // The server's ack request is answered with the next stanza we write...
        t.server("<r xmlns='urn:xmpp:sm:3'/>")
        var actions = t.take()
        #expect(actions.writes.isEmpty)
        #expect(actions.contains(.schedule(.ackReply, after: .milliseconds(10))))
        #expect(t.send(answer("q1"), answering: tracking("q1", epoch: requestEpoch)) == .written)
        actions = t.take()
        #expect(actions.writes == ["<iq type='result' id='q1' to='friend@example.net/phone'/>", "<a xmlns='urn:xmpp:sm:3' h='2'/>"])
        #expect(actions.contains(.cancelTimer(.ackReply)))
        // One ack request gathers a burst, after a short delay.
        #expect(actions.contains(.schedule(.ackRequest, after: .milliseconds(250))))
        #expect(actions.reports.isEmpty)
        // ...or after a few milliseconds when there is none.
        t.server("<message from='friend@example.net/phone'/><r xmlns='urn:xmpp:sm:3'/>")
        t.fire(.ackReply)
        #expect(t.take().writes == ["<a xmlns='urn:xmpp:sm:3' h='3'/>"])
        t.fire(.ackRequest)
        actions = t.take()
        #expect(actions.writes == ["<r xmlns='urn:xmpp:sm:3'/>"])
        #expect(actions.contains(.schedule(.ackTimeout, after: .seconds(20))))
        t.server("<a xmlns='urn:xmpp:sm:3' h='1'/>")
        actions = t.take()
        #expect(actions.reports == [AnswerDelivery(answer: tracking("q1", epoch: requestEpoch), outcome: .live, acknowledged: true)])
        #expect(actions.contains(.cancelTimer(.ackTimeout)))
        #expect(t.session.management.unacknowledged.isEmpty)
    }

    @Test func stanzasBeforeTheServersEnabledAreNotCounted() {
        var t = Transcript()
        t.connect()
        t.server(T.serverHeader + T.starttlsFeatures)
        t.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        t.event(.tlsEstablished)
        t.server(T.serverHeader + T.plainFeatures)
        t.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        t.server(T.serverHeader + T.boundFeatures)
        t.server(T.bindResult)
        #expect(t.take().writes.last?.hasPrefix("<enable xmlns='urn:xmpp:sm:3'") == true)
        // A contact's ping routed to the new resource before the server read our <enable/>:
        // delivered, but the server does not count it, so neither may we.
        t.server("<iq type='get' id='early' from='friend@example.net/phone'><ping xmlns='urn:xmpp:ping'/></iq>")
        #expect(t.take().deliveries.count == 1)
        t.server("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>")
        t.server("<message from='friend@example.net/phone'/><r xmlns='urn:xmpp:sm:3'/>")
        t.fire(.ackReply)
        #expect(t.take().writes.contains("<a xmlns='urn:xmpp:sm:3' h='1'/>"))
    }

    @Test func aLargeBurstAsksForAnAckAtOnce() {
        var t = Transcript()
        t.logIn()
        for index in 0..<7 { t.send(message("m\(index)")) }
        #expect(!t.take().writes.contains("<r xmlns='urn:xmpp:sm:3'/>"))
        t.send(message("m7"))
        #expect(t.take().writes.last == "<r xmlns='urn:xmpp:sm:3'/>")
    }

    @Test func resumptionAcceptedResendsWhatTheServerDidNotGet() throws {
        var t = Transcript()
        t.logIn(location: "[2001:db8::9]:5299")
        let requestEpoch = t.session.epoch
        t.server("<iq type='set' id='run' from='friend@example.net/phone'><command xmlns='http://jabber.org/protocol/commands' node='job'/></iq>")
        _ = t.take()
        t.send(message("before-1"))
        t.send(message("before-2"))
        _ = t.take()

        // The connection drops; the run finishes meanwhile: its answer waits in the outbox.
        t.event(.disconnected)
        let lost = t.take()
        #expect(lost.end?.resumable == true)
        #expect(lost.end?.error == .connectionLost("the server or the network closed the connection"))
        #expect(t.send(answer("run"), answering: tracking("run", epoch: requestEpoch)) == .queued)
        #expect(t.take().writes.isEmpty)
        #expect(t.session.resumptionTarget(directTLS: false) == ConnectionTarget(host: "2001:db8::9", port: 5299, directTLS: false))

        t.advance(.seconds(5))
        t.reconnectThroughAuthentication()
        t.server(T.serverHeader + T.boundFeatures)
        // Our h: the iq we handled before the drop.
        #expect(t.writes() == ["<resume xmlns='urn:xmpp:sm:3' h='1' previd='sm-1'/>"])
        // The server got before-1, not before-2.
        t.server("<resumed xmlns='urn:xmpp:sm:3' h='1' previd='sm-1'/>")
        let actions = t.take()
        #expect(actions.establishment == .resumed(jid: try JID("user@example.org/adhocd"), mechanism: "PLAIN"))
        #expect(actions.writes == [
            message("before-2").serialized(inheritedNamespace: StreamNamespace.client),
            "<iq type='result' id='run' to='friend@example.net/phone'/>",
        ])
        t.fire(.ackRequest)
        _ = t.take()
        t.server("<a xmlns='urn:xmpp:sm:3' h='3'/>")
        #expect(t.take().reports == [AnswerDelivery(answer: tracking("run", epoch: requestEpoch), outcome: .afterResumption, acknowledged: true)])
        // Counting goes on from the old session's numbers.
        t.server("<message from='friend@example.net/phone'><body>again</body></message><r xmlns='urn:xmpp:sm:3'/>")
        t.fire(.ackReply)
        #expect(t.take().writes == ["<a xmlns='urn:xmpp:sm:3' h='2'/>"])
    }

    @Test func resumptionFailedFallsBackToANewSessionWithWhatIsStillMeaningful() throws {
        var t = Transcript()
        t.logIn()
        let requestEpoch = t.session.epoch
        t.send(Presence(show: .away).element)
        t.send(answer("a1"), answering: tracking("a1", epoch: requestEpoch))
        t.send(IQ(.get, id: "roster-2", payload: XMLElement("query", namespace: Roster.namespace)).element)
        t.send(message("m1"))
        _ = t.take()
        t.event(.disconnected)
        _ = t.take()

        t.reconnectThroughAuthentication()
        t.server(T.serverHeader + T.boundFeatures)
        _ = t.take()
        // The server says it had received the presence (h=1) before the session expired.
        t.server("<failed xmlns='urn:xmpp:sm:3' h='1'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        var actions = t.take()
        #expect(actions.writes == [T.bindRequest])
        // Our own request is not asked again on a session that never sent it; it is dropped.
        #expect(actions.contains { if case .discarded(let text) = $0 { text.contains("<iq type='get'>") } else { false } })
        t.server(T.bindResult)
        #expect(t.writes() == [T.enable])
        t.server("<enabled xmlns='urn:xmpp:sm:3' id='sm-2' resume='true'/>")
        actions = t.take()
        #expect(actions.establishment == .newSession(jid: try JID("user@example.org/adhocd"), mechanism: "PLAIN", streamManagement: true))
        // The answer and the message go out on the new session, in their order.
        #expect(actions.writes == [
            "<iq type='result' id='a1' to='friend@example.net/phone'/>",
            message("m1").serialized(inheritedNamespace: StreamNamespace.client),
        ])
        #expect(t.session.epoch.session == requestEpoch.session + 1)
        t.fire(.ackRequest)
        t.server("<a xmlns='urn:xmpp:sm:3' h='2'/>")
        #expect(t.take().reports == [AnswerDelivery(answer: tracking("a1", epoch: requestEpoch), outcome: .onNewStream, acknowledged: true)])
    }

    @Test func anExpiredSessionIsNotOfferedForResumption() {
        var t = Transcript()
        t.logIn(max: "60")
        t.event(.disconnected)
        _ = t.take()
        t.advance(.seconds(61))
        t.reconnectThroughAuthentication()
        t.server(T.serverHeader + T.boundFeatures)
        #expect(t.writes() == [T.bindRequest])
    }

    @Test func theAckCountersWrapAt2To32() throws {
        var t = Transcript()
        t.logIn()
        // Both counters a few stanzas short of 2^32.
        t.session.management.inbound = UInt32.max - 1
        t.session.management.acknowledged = UInt32.max - 1
        let epoch = t.session.epoch
        for index in 0..<4 { t.send(answer("w\(index)"), answering: tracking("w\(index)", epoch: epoch)) }
        _ = t.take()
        #expect(t.session.management.sent == 2)
        t.server("<a xmlns='urn:xmpp:sm:3' h='1'/>")
        #expect(t.take().reports.map(\.answer.requestID) == ["w0", "w1", "w2"])
        t.server("<message from='friend@example.net/phone'/><message from='friend@example.net/phone'/><message from='friend@example.net/phone'/><r xmlns='urn:xmpp:sm:3'/>")
        t.fire(.ackReply)
        #expect(t.take().writes == ["<a xmlns='urn:xmpp:sm:3' h='1'/>"])
        // An ack from before the wrap would claim 2^32 - 2 stanzas: refused, not believed.
        t.server("<a xmlns='urn:xmpp:sm:3' h='4294967200'/>")
        let actions = t.take()
        #expect(actions.writes.first?.contains("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='4294967200' send-count='2'/>") == true)
        #expect(actions.end?.resumable == false)
    }

    @Test func aServerThatNeverAcksLosesTheConnectionAndTheBacklogStaysBounded() {
        var t = Transcript { settings in
            settings.maximumUnacknowledged = 4
            settings.outboxLimit = 3
        }
        t.logIn()
        for index in 0..<4 { t.send(message("m\(index)")) }
        _ = t.take()
        // The window is full: stanzas wait, and an ack is requested at once.
        #expect(t.send(message("m4")) == .queued)
        #expect(t.take().writes == ["<r xmlns='urn:xmpp:sm:3'/>"])
        #expect(t.send(message("m5")) == .queued)
        #expect(t.send(message("m6")) == .queued)
        #expect(t.send(message("m7")) == .refused(.outboxFull))
        #expect(t.take().contains { if case .discarded = $0 { true } else { false } })

        t.fire(.ackTimeout)
        let actions = t.take()
        #expect(actions.end?.error == .pingTimedOut)
        #expect(actions.end?.resumable == true)
        #expect(actions.contains(.closeTransport))
        #expect(t.session.management.unacknowledged.count == 4)
        #expect(t.session.outbox.count == 3)
    }

    @Test func keepaliveIsAnAckRequestUnderStreamManagementAndAPingWithout() {
        var managed = Transcript()
        managed.logIn()
        managed.fire(.keepalive)
        let actions = managed.take()
        #expect(actions.writes == ["<r xmlns='urn:xmpp:sm:3'/>"])
        #expect(actions.schedules(.keepalive))
        managed.server("<a xmlns='urn:xmpp:sm:3' h='0'/>")
        #expect(managed.take().contains(.cancelTimer(.ackTimeout)))

        var plain = Transcript()
        plain.logIn(streamManagement: false)
        plain.fire(.keepalive)
        #expect(plain.writes() == ["<iq type='get' id='keepalive-1' to='example.org'><ping xmlns='urn:xmpp:ping'/></iq>"])
        plain.server("<iq type='result' id='keepalive-1' from='example.org'/>")
        let answered = plain.take()
        #expect(answered.contains(.cancelTimer(.ackTimeout)))
        #expect(answered.deliveries.isEmpty)
        plain.fire(.keepalive)
        _ = plain.take()
        plain.fire(.ackTimeout)
        let dead = plain.take().end
        #expect(dead?.error == .pingTimedOut)
        #expect(dead?.resumable == false)
    }

    @Test func whileTheClientDoesNotReadAMissingAckProvesNothing() {
        var t = Transcript()
        t.logIn()
        t.fire(.keepalive)
        _ = t.take()
        t.event(.readsPaused(true))
        t.fire(.ackTimeout)
        var actions = t.take()
        #expect(actions.end == nil)
        #expect(actions.contains(.schedule(.ackTimeout, after: .seconds(20))))
        t.fire(.keepalive)
        #expect(t.take().writes.isEmpty)
        t.event(.readsPaused(false))
        t.fire(.ackTimeout)
        actions = t.take()
        #expect(actions.end?.error == .pingTimedOut)
    }

    @Test func withoutStreamManagementAnswersAreReportedWhenWrittenAndKeptAcrossAReconnect() throws {
        var t = Transcript { $0.streamManagement = false }
        t.logIn(streamManagement: false)
        let epoch = t.session.epoch
        t.send(answer("x"), answering: tracking("x", epoch: epoch))
        #expect(t.take().reports == [AnswerDelivery(answer: tracking("x", epoch: epoch), outcome: .live, acknowledged: false)])
        t.event(.disconnected)
        #expect(t.take().end?.resumable == false)
        // Offline, an answer still waits for the next stream; anything else is refused.
        #expect(t.send(answer("y"), answering: tracking("y", epoch: epoch)) == .queued)
        #expect(t.send(message("m")) == .refused(.notConnected))
        t.reconnectThroughAuthentication()
        t.server(T.serverHeader + T.boundFeatures)
        t.server(T.bindResult)
        let actions = t.take()
        #expect(actions.writes.contains("<iq type='result' id='y' to='friend@example.net/phone'/>"))
        #expect(actions.reports == [AnswerDelivery(answer: tracking("y", epoch: epoch), outcome: .onNewStream, acknowledged: false)])
    }

    @Test func anAnswerThatWaitedTooLongIsDropped() {
        var t = Transcript { $0.answerLifetime = .seconds(600) }
        t.logIn()
        let epoch = t.session.epoch
        t.event(.disconnected)
        _ = t.take()
        t.send(answer("late"), answering: tracking("late", epoch: epoch))
        t.advance(.seconds(601))
        t.connect()
        let reports = t.take().reports
        #expect(reports.count == 1)
        guard case .dropped(let reason)? = reports.first?.outcome else { Issue.record("not dropped"); return }
        #expect(reason.contains("waited longer than 600 s"))
    }

    @Test func signingOffAcksClosesAndEndsTheSession() {
        var t = Transcript()
        t.logIn()
        t.server("<message from='friend@example.net/phone'/>")
        let epoch = t.session.epoch
        t.send(Presence(.unavailable).element)
        t.send(answer("last"), answering: tracking("last", epoch: epoch))
        _ = t.take()
        t.event(.signOff)
        var actions = t.take()
        #expect(actions.writes == ["<a xmlns='urn:xmpp:sm:3' h='1'/>", "<r xmlns='urn:xmpp:sm:3'/>", StreamHeader.closing])
        #expect(actions.contains(.schedule(.closing, after: .seconds(2))))
        #expect(t.send(message("late")) == .refused(.shuttingDown))
        t.server("</stream:stream>")
        actions = t.take()
        #expect(actions.writes.isEmpty)
        #expect(actions.end?.error == .shuttingDown)
        #expect(actions.end?.resumable == false)
        // Written before the close: not dropped, only unconfirmed.
        #expect(actions.reports == [AnswerDelivery(answer: tracking("last", epoch: epoch), outcome: .live, acknowledged: false)])
        #expect(!actions.contains { if case .discarded = $0 { true } else { false } })
    }

    @Test func aServerThatRefusesStreamManagementStillGivesASession() throws {
        var t = Transcript()
        t.connect(directTLS: true)
        t.server(T.serverHeader + T.plainFeatures)
        t.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        t.server(T.serverHeader + T.boundFeatures)
        t.server(T.bindResult)
        _ = t.take()
        t.server("<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        #expect(t.take().establishment == .newSession(jid: try JID("user@example.org/adhocd"), mechanism: "PLAIN", streamManagement: false))
        #expect(!t.session.management.isCounting)
        t.event(.disconnected)
        #expect(t.take().end?.resumable == false)
    }

    @Test func skippedStanzasAreCountedAndHandedOn() {
        var t = Transcript()
        t.logIn()
        let skipped = SkippedStanza(name: "iq", namespace: StreamNamespace.client, id: "big", type: "get", from: "s@example.net/x", reason: .tooLarge(limit: 10))
        t.event(.stream(.skipped(skipped)))
        #expect(t.take() == [.deliverSkipped(skipped)])
        t.server("<r xmlns='urn:xmpp:sm:3'/>")
        t.fire(.ackReply)
        #expect(t.writes() == ["<a xmlns='urn:xmpp:sm:3' h='1'/>"])
    }
}
