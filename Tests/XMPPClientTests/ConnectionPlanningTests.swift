import Testing
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

    @Test func plansTargetsFromConfigurationSRVAndFallback() async {
        let configured = await ConnectionTarget.candidates(domain: "example.org", host: "127.0.0.1", port: nil, tls: .startTLS, lookup: { _ in [] })
        #expect(configured == [ConnectionTarget(host: "127.0.0.1", port: 5222, directTLS: false)])
        let direct = await ConnectionTarget.candidates(domain: "example.org", host: "h", port: nil, tls: .directTLS, lookup: { _ in [] })
        #expect(direct == [ConnectionTarget(host: "h", port: 5223, directTLS: true)])

        let noSRV = await ConnectionTarget.candidates(domain: "example.org", host: nil, port: nil, tls: .startTLS, lookup: { _ in [] })
        #expect(noSRV == [ConnectionTarget(host: "example.org", port: 5222, directTLS: false)])

        let withSRV = await ConnectionTarget.candidates(domain: "example.org", host: nil, port: nil, tls: .startTLS, lookup: { name in
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
            ConnectionTarget(host: "example.org", port: 5222, directTLS: false),
        ])
    }

    private func encodeName(_ name: String) -> [UInt8] {
        name.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }
}
