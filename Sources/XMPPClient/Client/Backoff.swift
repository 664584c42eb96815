/// Reconnect delays: exponential from `initial`, doubling up to `maximum`, with jitter so a
/// fleet of bots does not reconnect in lockstep after a server restart.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    private var attempt = 0

    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(60)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt: the nominal delay scaled by a random factor in
    /// 0.5...1 ("equal jitter"), so it never exceeds the cap and never collapses to zero.
    public mutating func nextDelay(jitter: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration {
        let nominal = nominalDelay(attempt: attempt)
        attempt += 1
        return nominal * jitter(0.5...1.0)
    }

    /// Called after a session that stayed up long enough: start again from `initial`.
    public mutating func reset() {
        attempt = 0
    }

    func nominalDelay(attempt: Int) -> Duration {
        // Stop doubling well before overflow; 2^20 seconds is far past any sensible cap.
        let factor = 1 << min(attempt, 20)
        let delay = initial * factor
        return delay > maximum ? maximum : delay
    }
}
