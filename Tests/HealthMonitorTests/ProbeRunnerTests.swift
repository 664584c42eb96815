import Synchronization
import Testing
@testable import HealthMonitor
import HostMetrics

/// A probe that answers what the test says, after a delay, counting its runs.
final class ScriptedProbe: HealthProbe {
    let kind: ProbeKind
    let delay: Mutex<Duration>
    let outcome: Mutex<ProbeOutcome>
    let runs = Mutex(0)

    init(_ kind: ProbeKind, delay: Duration = .zero, _ outcome: ProbeOutcome) {
        self.kind = kind
        self.delay = Mutex(delay)
        self.outcome = Mutex(outcome)
    }

    func set(_ new: ProbeOutcome, delay newDelay: Duration = .zero) {
        outcome.withLock { $0 = new }
        delay.withLock { $0 = newDelay }
    }

    func read(within limit: Duration) async -> ProbeOutcome {
        runs.withLock { $0 += 1 }
        // Deliberately deaf to cancellation, like a thread stuck in statvfs.
        let end = ContinuousClock.now + delay.withLock { $0 }
        while ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(10)) }
        return outcome.withLock { $0 }
    }
}

@Suite struct ProbeRunnerTests {
    @Test func aHangingProbeTimesOutAndIsNotStartedAgainWhileStuck() async {
        let probe = ScriptedProbe(.disk("/mnt/nfs"), delay: .seconds(2), .reading(.disk(usedPercent: 10)))
        let runner = ProbeRunner(probe: probe, limit: .milliseconds(100))
        let start = ContinuousClock.now
        #expect(await runner.run() == ProbeResult(.disk("/mnt/nfs"), .timedOut))
        #expect(ContinuousClock.now - start < .milliseconds(100) + ProbeRunner.grace + .milliseconds(500))
        #expect(await runner.run() == ProbeResult(.disk("/mnt/nfs"), .timedOut))
        #expect(probe.runs.withLock { $0 } == 1)
        // Once the stuck run returns, the probe runs again.
        probe.set(.reading(.disk(usedPercent: 11)))
        try? await Task.sleep(for: .seconds(2))
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
        #expect(await HostReadingProbe.load(HostProbe(procRoot: "/nonexistent")).read(within: .seconds(5)) == .failed("cannot read /nonexistent/loadavg"))
    }
}
