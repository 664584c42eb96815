/// A point in time something must be done by: the one deadline idiom of process supervision
/// and the health probes. Blocking loops turn it into poll(2) timeouts; async callers race
/// work against it.
public struct Deadline: Sendable, Hashable, Comparable {
    public let instant: ContinuousClock.Instant

    public init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    public static func after(_ duration: Duration, from now: ContinuousClock.Instant = .now) -> Deadline {
        Deadline(now + duration)
    }

    public func hasPassed(at now: ContinuousClock.Instant = .now) -> Bool {
        now >= instant
    }

    /// What is left, never negative.
    public func remaining(at now: ContinuousClock.Instant = .now) -> Duration {
        max(.zero, instant - now)
    }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.instant < rhs.instant
    }

    /// A poll(2) timeout in milliseconds until the earliest of `deadlines`: rounded up, so a
    /// wake-up never comes before the deadline; -1 (wait for ever) when there is none.
    public static func pollTimeout(until deadlines: [Deadline], now: ContinuousClock.Instant = .now) -> Int32 {
        guard let earliest = deadlines.min() else { return -1 }
        let remaining = earliest.remaining(at: now)
        let milliseconds = remaining.components.seconds * 1000 + (remaining.components.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    /// The result of `operation`, or nil when the deadline passes first (or the caller is
    /// cancelled). The operation is then cancelled but not awaited: work that cannot be
    /// interrupted (a thread stuck in statvfs) finishes on its own, later.
    public func race<Result: Sendable>(_ operation: @escaping @Sendable () async -> Result) async -> Result? {
        let (answers, continuation) = AsyncStream<Result?>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let work = Task {
            continuation.yield(await operation())
        }
        let timer = Task { [instant] in
            do {
                try await Task.sleep(until: instant, clock: .continuous)
            } catch {
                return
            }
            continuation.yield(nil)
        }
        var iterator = answers.makeAsyncIterator()
        let answer = await iterator.next() ?? nil
        continuation.finish()
        timer.cancel()
        if answer == nil { work.cancel() }
        return answer
    }
}
