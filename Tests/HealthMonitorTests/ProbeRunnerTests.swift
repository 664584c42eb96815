import Synchronization
import Testing
@testable import HealthMonitor
import HostMetrics

/// A probe that answers what the test says, after a delay or once released, counting its runs.
final class ScriptedProbe: HealthProbe {
    let kind: ProbeKind
    let delay: Duration
    let outcome: Mutex<ProbeOutcome>
    let held = Mutex(false)
    let runs = Mutex(0)

    init(_ kind: ProbeKind, delay: Duration = .zero, _ outcome: ProbeOutcome) {
        self.kind = kind
        self.delay = delay
        self.outcome = Mutex(outcome)
    }

    func set(_ new: ProbeOutcome) { outcome.withLock { $0 = new } }

    /// Until `release()`, every read hangs.
    func hold() { held.withLock { $0 = true } }
    func release() { held.withLock { $0 = false } }

    func read(within limit: Duration) async -> ProbeOutcome {
        runs.withLock { $0 += 1 }
        // Deliberately deaf to cancellation, like a thread stuck in statvfs.
        let end = ContinuousClock.now + delay
        while ContinuousClock.now < end || held.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(10)) }
        return outcome.withLock { $0 }
    }
}

@Suite struct ProbeRunnerTests {
    @Test func aHangingProbeTimesOutAndIsNotStartedAgainWhileStuck() async throws {
        let probe = ScriptedProbe(.disk("/mnt/nfs"), .reading(.disk(usedPercent: 10)))
        probe.hold()
        let runner = ProbeRunner(probe: probe, limit: .milliseconds(100))
        let start = ContinuousClock.now
        #expect(await runner.run() == ProbeResult(.disk("/mnt/nfs"), .timedOut))
        // The timer, not the probe, ended the wait (generous bound: the machine may be busy).
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(await runner.run() == ProbeResult(.disk("/mnt/nfs"), .timedOut))
        #expect(probe.runs.withLock { $0 } == 1)

        // Once the stuck run returns, the probe runs again.
        probe.set(.reading(.disk(usedPercent: 11)))
        probe.release()
        let deadline = ContinuousClock.now + .seconds(10)
        while runner.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await runner.run() == ProbeResult(.disk("/mnt/nfs"), .reading(.disk(usedPercent: 11))))
        #expect(probe.runs.withLock { $0 } == 2)
    }

    @Test func hostProbesReadThisMachine() async {
        for probe in [HostReadingProbe.load(), .memory(), .disk("/"), .uptime()] {
            guard case .reading = await probe.read(within: .seconds(5)) else {
                Issue.record("\(probe.kind) did not read")
                continue
            }
        }
        #expect(await HostReadingProbe.disk("/nonexistent").read(within: .seconds(5)) == .failed("No such file or directory"))
        #expect(await HostReadingProbe.load(HostReader(procRoot: "/nonexistent")).read(within: .seconds(5)) == .failed("cannot read /nonexistent/loadavg"))
    }
}
