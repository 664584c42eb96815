/// A token bucket per contact: `burst` messages at once, then one per `interval`.
///
/// Against floods and against two bots answering each other: past the limit a contact gets
/// one "slow down" answer, then silence until the bucket refills. Buckets of contacts who went
/// quiet are forgotten, so memory stays bounded whoever writes.
public struct RateLimiter<Key: Hashable & Sendable>: Sendable {
    public enum Decision: Sendable, Equatable {
        case allow
        /// Over the limit for the first time since it was last allowed: say so once.
        case warn(retryAfter: Double)
        case drop
    }

    public var burst: Double
    public var interval: Double
    /// How many contacts are tracked at most; the oldest are forgotten first.
    public var capacity: Int

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: Double
        var warned: Bool
    }

    private var buckets: [Key: Bucket] = [:]

    public init(burst: Int, interval: Double, capacity: Int = 10_000) {
        self.burst = Double(burst)
        self.interval = interval
        self.capacity = capacity
    }

    /// `now` in seconds on any monotonic clock.
    public mutating func admit(_ key: Key, now: Double) -> Decision {
        var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now, warned: false)
        bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) / interval)
        bucket.updated = now
        let decision: Decision
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            bucket.warned = false
            decision = .allow
        } else if !bucket.warned {
            bucket.warned = true
            decision = .warn(retryAfter: (1 - bucket.tokens) * interval)
        } else {
            decision = .drop
        }
        if buckets[key] == nil, buckets.count >= capacity { forgetFullBuckets(now: now) }
        buckets[key] = bucket
        return decision
    }

    /// Drops buckets that have refilled (they hold nothing a new bucket would not), or, if none
    /// has, the stalest half.
    private mutating func forgetFullBuckets(now: Double) {
        buckets = buckets.filter { _, bucket in bucket.tokens + (now - bucket.updated) / interval < burst }
        guard buckets.count >= capacity else { return }
        let stalest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(buckets.count / 2).map(\.key)
        for key in stalest { buckets[key] = nil }
    }

    public var trackedCount: Int { buckets.count }
}
