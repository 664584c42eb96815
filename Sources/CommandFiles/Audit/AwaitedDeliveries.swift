import Synchronization
import XMPPCore

/// A finished run whose answer the client has not yet reported delivered.
struct AwaitedDelivery: Sendable, Equatable {
    var requester: JID
    var requestID: String
    var run: String
    var node: String
}

/// Runs waiting for their answer's delivery report, oldest first. Bounded in number and in
/// time: a report that never comes (a subscriber's buffer overflowed, the answer could not be
/// handed to the client) must not keep its run here for ever, nor let a later answer to the
/// same requester and reused request id (clients that count ids per connection) take it.
final class AwaitedDeliveries: Sendable {
    private struct Waiting: Sendable {
        var delivery: AwaitedDelivery
        var since: ContinuousClock.Instant
    }

    private let waiting = Mutex<[Waiting]>([])
    let capacity: Int
    /// Past this the client has reported the answer (written, acknowledged or dropped after
    /// its answer lifetime of 10 min) or never will.
    let maximumWait: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    init(capacity: Int = 1024, maximumWait: Duration = .seconds(900), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.capacity = capacity
        self.maximumWait = maximumWait
        self.now = now
    }

    func expect(_ delivery: AwaitedDelivery) {
        let now = now()
        waiting.withLock { waiting in
            forgetExpired(&waiting, now: now)
            if waiting.count >= capacity { waiting.removeFirst(waiting.count - capacity + 1) }
            waiting.append(Waiting(delivery: delivery, since: now))
        }
    }

    /// The run answered by this request, which waits no more.
    func take(requester: JID, requestID: String) -> AwaitedDelivery? {
        let now = now()
        return waiting.withLock { waiting in
            forgetExpired(&waiting, now: now)
            guard let index = waiting.firstIndex(where: { $0.delivery.requester == requester && $0.delivery.requestID == requestID }) else { return nil }
            return waiting.remove(at: index).delivery
        }
    }

    /// Whether a run waits for this answer (expired ones included: `take` forgets them).
    func awaits(requester: JID, requestID: String) -> Bool {
        waiting.withLock { waiting in
            waiting.contains { $0.delivery.requestID == requestID && $0.delivery.requester == requester }
        }
    }

    var count: Int { waiting.withLock { $0.count } }

    /// Entries are in the order they came, so the expired ones lead.
    private func forgetExpired(_ waiting: inout [Waiting], now: ContinuousClock.Instant) {
        let expired = waiting.prefix { now - $0.since > maximumWait }.count
        waiting.removeFirst(expired)
    }
}
