import Synchronization
import Testing
import XMPPCore
@testable import XMPPClient

@Suite struct RecentAnswersTests {
    let alice = (try? JID("alice@example.org/phone"))!
    let payload = XMLElement("command", namespace: "http://jabber.org/protocol/commands", ["node": "backup"])

    /// The ticket of a lookup that lets the request run.
    func ticket(_ lookup: RecentAnswers.Lookup) -> RecentAnswers.Ticket? {
        if case .start(let ticket) = lookup { ticket } else { nil }
    }

    @Test func aRequestSeenAgainJoinsItsRunThenGetsItsAnswerAgain() throws {
        let recent = RecentAnswers(window: .seconds(600))
        let key = RecentAnswers.Key(sender: alice, id: "r1")
        let start = ContinuousClock.now
        let started = try #require(ticket(recent.begin(key, payload: payload, now: start)))
        #expect(started == RecentAnswers.Ticket(key: key, fingerprint: payload.hashValue))
        #expect(recent.begin(key, payload: payload, now: start + .seconds(1)) == .running)
        let answer = IQ(.result, id: "r1", to: alice).element
        recent.finish(started, answer: answer)
        #expect(recent.begin(key, payload: payload, now: start + .seconds(2)) == .answered(answer))
        // Another sender, or another payload under the same id, is another request.
        #expect(ticket(recent.begin(RecentAnswers.Key(sender: (try? JID("alice@example.org/laptop"))!, id: "r1"), payload: payload, now: start)) != nil)
        let other = XMLElement("command", namespace: "http://jabber.org/protocol/commands", ["node": "restore"])
        #expect(ticket(recent.begin(key, payload: other, now: start + .seconds(3))) != nil)
    }

    @Test func forgetsAfterTheWindowAndStaysBounded() throws {
        let recent = RecentAnswers(window: .seconds(10), capacity: 100, byteLimit: 10_000)
        let start = ContinuousClock.now
        let key = RecentAnswers.Key(sender: alice, id: "old")
        let old = try #require(ticket(recent.begin(key, payload: payload, now: start)))
        recent.finish(old, answer: IQ(.result, id: "old", to: alice).element)
        #expect(ticket(recent.begin(key, payload: payload, now: start + .seconds(11))) != nil)
        for index in 0..<1_000 {
            let key = RecentAnswers.Key(sender: alice, id: "k\(index)")
            _ = recent.begin(key, payload: payload, now: start + .seconds(12))
        }
        #expect(recent.count <= 100)
        // Large answers: the byte limit holds.
        for index in 0..<50 {
            let key = RecentAnswers.Key(sender: alice, id: "big\(index)")
            let big = try #require(ticket(recent.begin(key, payload: payload, now: start + .seconds(13))))
            var answer = IQ(.result, id: "big\(index)", to: alice).element
            answer.append(XMLElement("x", namespace: "urn:x", text: String(repeating: "a", count: 1_000)))
            recent.finish(big, answer: answer)
        }
        #expect(recent.count < 100)
    }

    @Test func countsTheBytesOfTheAnswersItKeeps() throws {
        let recent = RecentAnswers(window: .seconds(10), capacity: 100, byteLimit: 10_000)
        let start = ContinuousClock.now
        let key = RecentAnswers.Key(sender: alice, id: "b1")
        var answer = IQ(.result, id: "b1", to: alice).element
        answer.append(XMLElement("x", namespace: "urn:x", text: "a < b"))
        let written = answer.serialized(inheritedNamespace: StreamNamespace.client).utf8.count
        let first = try #require(ticket(recent.begin(key, payload: payload, now: start)))
        recent.finish(first, answer: answer)
        #expect(recent.bytes == written)
        // The same id with another payload replaces the entry and gives its bytes back; the
        // finish of the replaced request then changes nothing.
        let other = XMLElement("command", namespace: "http://jabber.org/protocol/commands", ["node": "restore"])
        let second = try #require(ticket(recent.begin(key, payload: other, now: start + .seconds(1))))
        #expect(recent.bytes == 0)
        recent.finish(first, answer: answer)
        #expect(recent.bytes == 0)
        #expect(recent.begin(key, payload: other, now: start + .seconds(2)) == .running)
        recent.finish(second, answer: answer)
        // Finished once: a second answer is ignored.
        recent.finish(second, answer: IQ(.result, id: "b1", to: alice).element)
        #expect(recent.bytes == written)
        #expect(recent.begin(key, payload: other, now: start + .seconds(3)) == .answered(answer))
        // Expiry gives the bytes back.
        _ = recent.begin(RecentAnswers.Key(sender: alice, id: "later"), payload: payload, now: start + .seconds(20))
        #expect(recent.bytes == 0)
        #expect(recent.count == 1)
    }
}

@Suite struct RequestScopeTests {
    final class Pressure: Sendable {
        let changes = Mutex<[Bool]>([])
    }

    @Test func asksToStopReadingAtTheLimitAndToReadAgainAtHalf() async throws {
        let pressure = Pressure()
        let scope = RequestScope(limit: 4) { paused in pressure.changes.withLock { $0.append(paused) } }
        let gate = AsyncStream<Void>.makeStream()
        let release = gate.continuation
        for _ in 0..<4 {
            scope.spawn { for await _ in gate.stream { return } }
        }
        #expect(pressure.changes.withLock { $0 } == [true])
        for _ in 0..<4 { release.yield() }
        release.finish()
        for _ in 0..<200 where scope.runningCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(scope.runningCount == 0)
        #expect(pressure.changes.withLock { $0 } == [true, false])
    }

    @Test func stoppingCancelsRunsAndRefusesNewOnes() async {
        let scope = RequestScope(limit: 10) { _ in }
        let cancelled = Mutex(false)
        scope.spawn {
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.withLock { $0 = true }
            }
        }
        // A run that ends when cancelled ends the stop long before the grace runs out (the
        // margin is wide: parallel tests can stall this process for seconds).
        let start = ContinuousClock.now
        await scope.stop(grace: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(cancelled.withLock { $0 })
        #expect(!scope.spawn {})
    }
}

@Suite struct LogRateLimiterTests {
    @Test func oneLineAMinutePerSenderWithACountOfTheRest() {
        let limiter = LogRateLimiter(interval: .seconds(60), capacity: 2)
        let start = ContinuousClock.now
        #expect(limiter.admit("a", now: start) == 0)
        #expect(limiter.admit("a", now: start + .seconds(1)) == nil)
        #expect(limiter.admit("a", now: start + .seconds(2)) == nil)
        #expect(limiter.admit("b", now: start + .seconds(2)) == 0)
        #expect(limiter.admit("a", now: start + .seconds(61)) == 2)
        // Bounded: a third sender pushes the oldest out.
        #expect(limiter.admit("c", now: start + .seconds(62)) == 0)
        #expect(limiter.admit("b", now: start + .seconds(63)) == 0)
    }
}
