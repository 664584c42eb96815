import Testing
import XMPPCore
@testable import XMPPClient

/// Stream negotiation, one scripted conversation per branch (no server).
@Suite struct NegotiationTranscriptTests {
    typealias T = Transcript

    @Test func startTLSThenSCRAMThenBindThenStreamManagement() throws {
        var t = Transcript()
        t.connect()
        #expect(t.writes() == [T.clientHeaderPlain])
        t.server(T.serverHeader + T.starttlsFeatures)
        #expect(t.writes() == ["<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"])
        t.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        #expect(t.take() == [.startTLS])
        t.event(.tlsEstablished)
        #expect(t.take() == [.restartParser, .write(T.clientHeaderEncrypted)])
        t.server(T.serverHeader + T.scramFeatures)
        // RFC 7677's exchange (user "user", password "pencil").
        #expect(t.writes() == ["<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=</auth>"])
        t.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            + "cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=</challenge>")
        #expect(t.writes() == ["<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            + "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==</response>"])
        t.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==</success>")
        #expect(t.take() == [.restartParser, .write(T.clientHeaderEncrypted)])
        t.server(T.serverHeader + T.boundFeatures)
        #expect(t.writes() == [T.bindRequest])
        t.server(T.bindResult)
        #expect(t.writes() == [T.enable])
        t.server("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true' max='600'/>")
        let actions = t.take()
        #expect(actions.establishment == .newSession(jid: try JID("user@example.org/adhocd"), mechanism: "SCRAM-SHA-256", streamManagement: true))
        #expect(actions.contains(.cancelTimer(.negotiation)))
        #expect(actions.schedules(.keepalive))
        #expect(t.session.management.resumption?.maximum == .seconds(600))
        #expect(t.session.isOnline)
    }

    @Test func aForgedSCRAMServerSignatureEndsTheLogin() {
        var t = Transcript()
        t.connect(directTLS: true)
        t.server(T.serverHeader + T.scramFeatures)
        t.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            + "cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=</challenge>")
        _ = t.take()
        t.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBPQ==</success>")
        let actions = t.take()
        #expect(actions.end?.error == .authentication(.serverSignatureMismatch))
        #expect(actions.contains(.closeTransport))
        #expect(!actions.contains(.restartParser))
    }

    @Test func aSASLFailureEndsTheConnectionAsAnAuthenticationFailure() {
        var t = Transcript()
        t.connect(directTLS: true)
        #expect(t.writes() == [T.clientHeaderEncrypted])
        t.server(T.serverHeader + T.plainFeatures)
        #expect(t.writes() == [T.plainAuth])
        t.server("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text xml:lang='en'>Invalid username or password</text></failure>")
        let actions = t.take()
        let end = actions.end
        #expect(end?.error == .authentication(.authenticationFailed(condition: "not-authorized", text: "Invalid username or password")))
        #expect(end?.error.isAuthenticationFailure == true)
        #expect(end?.resumable == false)
        #expect(actions.writes == [StreamHeader.closing])
        #expect(actions.contains(.closeTransport))
        #expect(actions.contains(.cancelTimer(.negotiation)))
    }

    @Test func aServerThatOffersNoSTARTTLSIsLeft() {
        var t = Transcript()
        t.connect()
        t.server(T.serverHeader + T.plainFeatures)
        let actions = t.take()
        #expect(actions.end?.error == .tlsUnavailable)
        // Nothing of the account went out in the clear.
        #expect(!actions.writes.contains { $0.contains("auth") })
    }

    @Test func plaintextIsOnlyForLoopbackAndOnlyWhenConfigured() {
        var refused = Transcript { $0.tls = .plaintext }
        refused.connect(loopback: false)
        refused.server(T.serverHeader + T.scramFeatures)
        #expect(refused.take().end?.error == .plaintextNotAllowed("xmpp.example.org"))

        var allowed = Transcript { $0.tls = .plaintext }
        allowed.connect(loopback: true)
        allowed.server(T.serverHeader + T.scramFeatures)
        // SCRAM only: PLAIN would send the password itself.
        #expect(allowed.writes().last?.contains("mechanism='SCRAM-SHA-256'") == true)

        var plainOnly = Transcript { $0.tls = .plaintext }
        plainOnly.connect(loopback: true)
        plainOnly.server(T.serverHeader + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>")
        #expect(plainOnly.take().end?.error == .authentication(.noAcceptableMechanism(offered: ["PLAIN"], encrypted: false)))
    }

    @Test func aRefusedSTARTTLSOrAFailedHandshakeEndsTheConnection() {
        var refused = Transcript()
        refused.connect()
        refused.server(T.serverHeader + T.starttlsFeatures)
        refused.server("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        #expect(refused.take().end?.error == .tlsFailed("the server refused STARTTLS (<failure/>)"))

        var handshake = Transcript()
        handshake.connect()
        handshake.server(T.serverHeader + T.starttlsFeatures)
        handshake.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        handshake.event(.transportFailed("certificate verify failed"))
        #expect(handshake.take().end?.error == .tlsFailed("certificate verify failed"))
    }

    @Test func aStreamErrorMidNegotiationEndsItAndIsAnsweredWithAClose() {
        var t = Transcript()
        t.connect(directTLS: true)
        t.server(T.serverHeader + T.plainFeatures)
        _ = t.take()
        t.server("<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
            + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no such domain</text></stream:error>")
        let actions = t.take()
        #expect(actions.end?.error == .streamError(StreamError(.hostUnknown, text: "no such domain")))
        #expect(actions.writes == [StreamHeader.closing])
        #expect(actions.end?.redirect == nil)
    }

    @Test func seeOtherHostNamesWhereToReconnect() {
        var t = Transcript()
        t.connect()
        t.server(T.serverHeader + "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::7]:5333</see-other-host></stream:error>")
        let end = t.take().end
        #expect(end?.error == .streamError(StreamError(.seeOtherHost, conditionText: "[2001:db8::7]:5333")))
        #expect(end?.redirect == ConnectionTarget(host: "2001:db8::7", port: 5333, directTLS: false))

        var plainHost = Transcript()
        plainHost.connect(directTLS: true, target: ConnectionTarget(host: "a.example.org", port: 5223, directTLS: true))
        plainHost.server(T.serverHeader + "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>b.example.org</see-other-host></stream:error>")
        #expect(plainHost.take().end?.redirect == ConnectionTarget(host: "b.example.org", port: 5223, directTLS: true))
    }

    @Test func malformedXMLIsAnsweredWithAPrefixedStreamError() {
        var t = Transcript()
        t.connect()
        t.server(T.serverHeader + "<stream:features><!-- a comment --></stream:features>")
        let actions = t.take()
        #expect(actions.writes.contains { $0.hasPrefix("<stream:error><restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>") })
        #expect(actions.writes.last == StreamHeader.closing)
        guard case .malformedStream(let error)? = actions.end?.error else { Issue.record("not a malformed-stream end"); return }
        #expect(error.condition == .restrictedXML)
    }

    @Test func negotiationThatTakesTooLongIsGivenUp() {
        var t = Transcript { $0.negotiationTimeout = .seconds(30) }
        t.connect()
        #expect(t.take().contains(.schedule(.negotiation, after: .seconds(30))))
        t.server(T.serverHeader)
        t.fire(.negotiation)
        let actions = t.take()
        #expect(actions.end?.error == .negotiationTimedOut)
        #expect(actions.contains(.closeTransport))
    }

    @Test func aServerThatInsistsOnTheLegacySessionGetsIt() throws {
        var t = Transcript()
        t.connect(directTLS: true)
        t.server(T.serverHeader + T.plainFeatures)
        t.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        t.server(T.serverHeader + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>")
        _ = t.take()
        t.server(T.bindResult)
        #expect(t.writes() == ["<iq type='set' id='session-1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>"])
        t.server("<iq type='result' id='session-1'/>")
        #expect(t.take().establishment == .newSession(jid: try JID("user@example.org/adhocd"), mechanism: "PLAIN", streamManagement: false))
    }

    @Test func aBindResultForAnotherAccountIsRefused() {
        var t = Transcript()
        t.connect(directTLS: true)
        t.server(T.serverHeader + T.plainFeatures)
        t.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        t.server(T.serverHeader + T.boundFeatures)
        _ = t.take()
        t.server("<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>admin@example.org/x</jid></bind></iq>")
        guard case .bindFailed? = t.take().end?.error else { Issue.record("accepted another account's JID"); return }
    }
}
