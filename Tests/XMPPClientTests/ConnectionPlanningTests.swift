import Testing
import XMPPCore
@testable import XMPPClient

@Suite struct ConnectionPlanningTests {
    @Test func backoffDoublesToTheCapWithJitterAndResets() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(60))
        let nominal = (0..<9).map { _ in backoff.nextDelay(jitter: { $0.upperBound }) }
        #expect(nominal == [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) })
        backoff.reset()
        #expect(backoff.nextDelay(jitter: { $0.lowerBound }) == .milliseconds(500))
        for _ in 0..<100 {
            let delay = backoff.nextDelay()
            #expect(delay <= .seconds(60) && delay > .zero)
        }
        // Many attempts never overflow.
        #expect(backoff.nominalDelay(attempt: 10_000) == .seconds(60))
    }

    @Test func parsesSRVAnswers() throws {
        // A response for _xmpp-client._tcp.example.org with two SRV answers, the second target compressed.
        var message: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        let question = encodeName("_xmpp-client._tcp.example.org")
        message += question + [0, 33, 0, 1]
        let targetOffset = message.count + 2 + 10 + 6  // where the first answer's target name starts
        message += [0xC0, 12, 0, 33, 0, 1, 0, 0, 1, 0]
        let firstTarget = encodeName("xmpp1.example.org")
        message += [0, UInt8(6 + firstTarget.count)] + [0, 10, 0, 60, 0x14, 0x66] + firstTarget
        message += [0xC0, 12, 0, 33, 0, 1, 0, 0, 1, 0]
        message += [0, 8] + [0, 20, 0, 0, 0x14, 0x67] + [0xC0, UInt8(targetOffset)]
        let records = try DNSMessage.srvRecords(in: message)
        #expect(records == [
            SRVRecord(priority: 10, weight: 60, port: 5222, target: "xmpp1.example.org"),
            SRVRecord(priority: 20, weight: 0, port: 5223, target: "xmpp1.example.org"),
        ])
        #expect(throws: DNSMessageError.self) { try DNSMessage.srvRecords(in: Array(message.prefix(40))) }
        // A pointer loop ends with an error, not a hang.
        var looping: [UInt8] = [0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 33, 0, 1]
        #expect(throws: DNSMessageError.badName) { try DNSMessage.srvRecords(in: looping) }
        looping.removeAll()
    }

    @Test func ordersSRVRecordsByPriorityThenWeight() {
        let records = [
            SRVRecord(priority: 20, weight: 0, port: 1, target: "c"),
            SRVRecord(priority: 10, weight: 1, port: 1, target: "b"),
            SRVRecord(priority: 10, weight: 99, port: 1, target: "a"),
        ]
        // Always picking the top of the running sum favours the heaviest record first.
        let ordered = SRVRecord.ordered(records, random: { $0 })
        #expect(ordered.map(\.target) == ["a", "b", "c"])
        let alternative = SRVRecord.ordered(records, random: { _ in 0 })
        #expect(alternative.map(\.target) == ["b", "a", "c"])
    }

    @Test func plansTargetsFromConfigurationSRVAndFallback() async throws {
        let configured = try await ConnectionTarget.candidates(domain: "example.org", host: "127.0.0.1", port: nil, tls: .startTLS, lookup: { _ in [] })
        #expect(configured == [ConnectionTarget(host: "127.0.0.1", port: 5222, directTLS: false)])
        let direct = try await ConnectionTarget.candidates(domain: "example.org", host: "h", port: nil, tls: .directTLS, lookup: { _ in [] })
        #expect(direct == [ConnectionTarget(host: "h", port: 5223, directTLS: true)])

        let noSRV = try await ConnectionTarget.candidates(domain: "example.org", host: nil, port: nil, tls: .startTLS, lookup: { _ in [] })
        #expect(noSRV == [ConnectionTarget(host: "example.org", port: 5222, directTLS: false)])

        let withSRV = try await ConnectionTarget.candidates(domain: "example.org", host: nil, port: nil, tls: .startTLS, lookup: { name in
            if name == "_xmpps-client._tcp.example.org" { return [SRVRecord(priority: 5, weight: 0, port: 443, target: "tls.example.org")] }
            if name == "_xmpp-client._tcp.example.org" {
                return [SRVRecord(priority: 1, weight: 0, port: 5222, target: "a.example.org"), SRVRecord(priority: 5, weight: 0, port: 5222, target: "b.example.org")]
            }
            return []
        })
        #expect(withSRV == [
            ConnectionTarget(host: "a.example.org", port: 5222, directTLS: false),
            ConnectionTarget(host: "tls.example.org", port: 443, directTLS: true),
            ConnectionTarget(host: "b.example.org", port: 5222, directTLS: false),
        ])
    }

    @Test func srvRecordsFoundMeanNoFallbackAndADotTargetAborts() async throws {
        let dot = [SRVRecord(priority: 0, weight: 0, port: 0, target: "")]
        await #expect(throws: ConnectionError.serviceNotOffered("example.org")) {
            _ = try await ConnectionTarget.candidates(domain: "example.org", host: nil, port: nil, tls: .startTLS, lookup: { _ in dot })
        }
        // Direct TLS declined, STARTTLS offered: only the STARTTLS records.
        let one = try await ConnectionTarget.candidates(domain: "example.org", host: nil, port: nil, tls: .startTLS, lookup: { name in
            name.hasPrefix("_xmpps-client") ? dot : [SRVRecord(priority: 1, weight: 0, port: 5222, target: "a.example.org")]
        })
        #expect(one == [ConnectionTarget(host: "a.example.org", port: 5222, directTLS: false)])
        // Direct TLS only: a "." there is final too.
        await #expect(throws: ConnectionError.serviceNotOffered("example.org")) {
            _ = try await ConnectionTarget.candidates(domain: "example.org", host: nil, port: nil, tls: .directTLS, lookup: { _ in dot })
        }
    }

    @Test func readsAddressesOfRedirectsAndResumptionLocations() {
        #expect(ConnectionTarget(address: "b.example.org", defaultPort: 5222, directTLS: false) == ConnectionTarget(host: "b.example.org", port: 5222, directTLS: false))
        #expect(ConnectionTarget(address: "b.example.org:5299", defaultPort: 5222, directTLS: true) == ConnectionTarget(host: "b.example.org", port: 5299, directTLS: true))
        #expect(ConnectionTarget(address: "[2001:db8::1]", defaultPort: 5222, directTLS: false)?.host == "2001:db8::1")
        #expect(ConnectionTarget(address: "[2001:db8::1]:5300", defaultPort: 5222, directTLS: false)?.port == 5300)
        for bad in ["", "2001:db8::1", "host:port", "host:0", "[::1", "[::1]x", "a b", "h:70000"] {
            #expect(ConnectionTarget(address: bad, defaultPort: 5222, directTLS: false) == nil, "\(bad)")
        }
    }

    private func encodeName(_ name: String) -> [UInt8] {
        name.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }
}

@Suite struct ReconnectPolicyTests {
    func policy() -> ReconnectPolicy {
        ReconnectPolicy(
            backoff: Backoff(initial: .seconds(1), maximum: .seconds(60)),
            authenticationBackoff: Backoff(initial: .seconds(300), maximum: .seconds(3_600)),
            stableSessionDuration: .seconds(60))
    }

    let top: (ClosedRange<Double>) -> Double = { $0.upperBound }

    @Test func aRefusedLoginIsRetriedWithALongBackoffNotEveryMinute() {
        var policy = policy()
        let refused = ConnectionError.authentication(.authenticationFailed(condition: "not-authorized", text: nil))
        let delays = (0..<6).map { _ in policy.decide(after: refused, jitter: top).delay }
        #expect(delays == [300, 600, 1_200, 2_400, 3_600, 3_600].map { Duration.seconds($0) })
        // Other failures keep their own, short schedule.
        #expect(policy.decide(after: .connectionLost("reset"), jitter: top).delay == .seconds(1))
    }

    @Test func seeOtherHostIsFollowedAtOnceAFewTimesInARow() {
        var policy = policy()
        let elsewhere = ConnectionTarget(host: "b.example.org", port: 5222, directTLS: false)
        let redirect = ConnectionError.streamError(StreamError(.seeOtherHost, conditionText: "b.example.org"))
        for _ in 0..<ReconnectPolicy.maximumRedirects {
            #expect(policy.decide(after: redirect, redirect: elsewhere, jitter: top) == .init(delay: .zero, target: elsewhere))
        }
        // A redirect loop falls back to the usual targets with backoff.
        #expect(policy.decide(after: redirect, redirect: elsewhere, jitter: top) == .init(delay: .seconds(1), target: nil))
    }

    @Test func conflictWaitsLongestAndAResumableLossIsRetriedAtOnce() {
        var policy = policy()
        #expect(policy.decide(after: .streamError(StreamError(.conflict)), jitter: top).delay == .seconds(60))
        #expect(policy.decide(after: .connectionLost("cut"), resumable: true, onlineFor: .seconds(30), jitter: top).delay == .zero)
        // Lost right after it came up: the initial delay, however often it happens.
        for _ in 0..<10 {
            #expect(policy.decide(after: .connectionLost("cut"), resumable: true, onlineFor: .milliseconds(100), jitter: top).delay == .seconds(1))
        }
        #expect(policy.decide(after: .serviceNotOffered("example.org"), jitter: top).delay == .seconds(60))
    }

    @Test func aStableSessionResetsTheDelays() {
        var policy = policy()
        for _ in 0..<5 { _ = policy.decide(after: .connectionLost("x"), jitter: top) }
        #expect(policy.decide(after: .connectionLost("x"), jitter: top).delay == .seconds(32))
        #expect(policy.decide(after: .connectionLost("x"), onlineFor: .seconds(61), jitter: top).delay == .seconds(1))
    }
}
