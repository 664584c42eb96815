import ProcessSupervision
import Synchronization

/// Runs one probe with a time limit, and never starts it again while an earlier run is stuck.
///
/// The limit does not rely on the probe cooperating: the result is whichever comes first, the
/// probe's answer or the timer. A probe stuck in a system call (statvfs on a dead mount) keeps
/// its thread; the next rounds report it as timed out until it returns, instead of stranding
/// one more thread every interval.
final class ProbeRunner: Sendable {
    let probe: any HealthProbe
    let limit: Duration
    /// Extra time given to probes that stop their own work at `limit`, so their own, more
    /// precise answer (a killed command) arrives before the runner gives up on them.
    static let grace: Duration = .seconds(1)

    private let running = Mutex(false)

    init(probe: any HealthProbe, limit: Duration) {
        self.probe = probe
        self.limit = limit
    }

    /// Whether a run (perhaps one given up on) is still under way.
    var isRunning: Bool { running.withLock { $0 } }

    func run() async -> ProbeResult {
        let started = running.withLock { running in
            guard !running else { return false }
            running = true
            return true
        }
        guard started else { return ProbeResult(probe.kind, .timedOut) }

        let outcome = await Deadline.after(limit + Self.grace).race { [self] in
            let outcome = await probe.read(within: limit)
            running.withLock { $0 = false }
            return outcome
        }
        return ProbeResult(probe.kind, outcome ?? .timedOut)
    }
}
