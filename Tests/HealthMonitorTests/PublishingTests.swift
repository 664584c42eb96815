import Testing
import XMPPCore
@testable import HealthMonitor

/// Change detection and rate limits, driven by made-up instants.
@Suite struct PublishingTests {
    let start = ContinuousClock.now
    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    let fine = HealthPresence(show: .online, status: "load 0.4")
    let busy = HealthPresence(show: .away, status: "load 3.1 (warning)")
    let worse = HealthPresence(show: .dnd, status: "load 9.9 (critical)")

    @Test func sendsOnlyChanges() {
        var publisher = PresencePublisher(minimumInterval: .seconds(60))
        #expect(publisher.offer(fine, at: at(0)) == .send(fine))
        #expect(publisher.offer(fine, at: at(60)) == .unchanged)
        #expect(publisher.offer(fine, at: at(600)) == .unchanged)
        #expect(publisher.offer(busy, at: at(660)) == .send(busy))
        // The text alone changing counts too.
        let busier = HealthPresence(show: .away, status: "load 3.5 (warning)")
        #expect(publisher.offer(busier, at: at(720)) == .send(busier))
        #expect(publisher.published == busier)
    }

    @Test func holdsChangesBackUntilTheIntervalHasPassed() {
        var publisher = PresencePublisher(minimumInterval: .seconds(60))
        #expect(publisher.offer(fine, at: at(0)) == .send(fine))
        #expect(publisher.offer(busy, at: at(10)) == .wait(until: at(60)))
        #expect(publisher.offer(worse, at: at(30)) == .wait(until: at(60)))
        // Only the latest goes out, once the interval is over.
        #expect(publisher.offer(worse, at: at(60)) == .send(worse))
        #expect(publisher.offer(fine, at: at(61)) == .wait(until: at(120)))
        // Back to what was sent before the wait ended: nothing to send at all.
        #expect(publisher.offer(worse, at: at(62)) == .unchanged)
    }

    @Test func alertsWhenWorseAndOnRecovery() {
        var policy = AlertPolicy(minimumInterval: .seconds(300), announcesRecovery: true)
        #expect(policy.offer(.ok, at: at(0)) == .none)
        #expect(policy.offer(.warning, at: at(10)) == .send(.init(from: .ok, to: .warning)))
        #expect(policy.offer(.warning, at: at(20)) == .none)
        // Escalation within the interval waits; it is sent when the interval is over if it lasts.
        #expect(policy.offer(.critical, at: at(30)) == .wait(until: at(310)))
        #expect(policy.offer(.critical, at: at(310)) == .send(.init(from: .warning, to: .critical)))
        #expect(policy.offer(.ok, at: at(700)) == .send(.init(from: .critical, to: .ok)))
    }

    @Test func aProblemThatCameAndWentWithinTheIntervalIsNotReported() {
        var policy = AlertPolicy(minimumInterval: .seconds(300), announcesRecovery: true)
        #expect(policy.offer(.warning, at: at(0)) == .send(.init(from: .ok, to: .warning)))
        #expect(policy.offer(.ok, at: at(60)) == .wait(until: at(300)))
        #expect(policy.offer(.warning, at: at(120)) == .none)
        #expect(policy.announced == .warning)
    }

    @Test func withoutRecoveryNoticesOnlyWorseningIsSent() {
        var policy = AlertPolicy(minimumInterval: .seconds(300), announcesRecovery: false)
        #expect(policy.offer(.critical, at: at(0)) == .send(.init(from: .ok, to: .critical)))
        #expect(policy.offer(.ok, at: at(10)) == .none)
        #expect(policy.announced == .ok)
        #expect(policy.offer(.warning, at: at(400)) == .send(.init(from: .ok, to: .warning)))
    }

    @Test func alertTextSaysHostLevelAndWhy() {
        let alert = HealthAlert(change: .init(from: .ok, to: .critical), host: "web1", status: "/ 97% (critical) · load 0.4")
        #expect(alert.body == "web1 is critical (was ok): / 97% (critical) · load 0.4")
        #expect(alert.change.isWorse)
        #expect(HealthAlert(change: .init(from: .critical, to: .ok), host: "web1", status: "load 0.4").body == "web1 is back to ok (was critical): load 0.4")
    }
}
