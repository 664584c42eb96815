import Synchronization

/// How many refusals of one requester reach the audit log and the journal: the first few in
/// each window, then none until the window ends; the next line written for that requester
/// carries how many were left out. A stranger hammering the bot costs a few lines a minute.
///
/// Keyed by bare JID (a stranger picks resources freely). The table is bounded: past
/// `capacity` requesters, the newcomers share one key.
final class RefusalLimiter: Sendable {
    /// Whether to write this refusal, and how many were left out before it.
    enum Decision: Equatable {
        case write(suppressedBefore: Int)
        case suppress
    }

    private struct Tally {
        var windowStart: ContinuousClock.Instant
        var written = 0
        var suppressed = 0
    }

    let burst: Int
    let window: Duration
    let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let tallies = Mutex<[String: Tally]>([:])
    static let overflowKey = "*"

    init(burst: Int = 5, window: Duration = .seconds(60), capacity: Int = 4096,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.burst = burst
        self.window = window
        self.capacity = capacity
        self.now = now
    }

    func decide(for requester: String) -> Decision {
        let instant = now()
        return tallies.withLock { tallies in
            var key = requester
            if tallies[key] == nil, tallies.count >= capacity {
                // Forget quiet requesters whose window is over; newcomers share one key if none is.
                tallies = tallies.filter { $0.value.suppressed > 0 || instant - $0.value.windowStart < window }
                if tallies.count >= capacity { key = Self.overflowKey }
            }
            var tally = tallies[key] ?? Tally(windowStart: instant)
            if instant - tally.windowStart >= window {
                tally.windowStart = instant
                tally.written = 0
            }
            let decision: Decision
            if tally.written < burst {
                tally.written += 1
                decision = .write(suppressedBefore: tally.suppressed)
                tally.suppressed = 0
            } else {
                tally.suppressed += 1
                decision = .suppress
            }
            tallies[key] = tally
            return decision
        }
    }

    var trackedCount: Int { tallies.withLock { $0.count } }
}
