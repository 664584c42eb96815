import Synchronization
import XMPPCore

/// A finished run whose answer the client has not yet reported delivered.
struct AwaitedDelivery: Sendable, Equatable {
    var requester: JID
    var requestID: String
    var run: String
    var node: String
}

/// Runs waiting for their answer's delivery report, oldest first. Bounded: an answer the client
/// never reports (it could not be sent at all, which the client logs) must not keep its run
/// here for ever, so past `capacity` the oldest goes.
final class AwaitedDeliveries: Sendable {
    private let waiting = Mutex<[AwaitedDelivery]>([])
    let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    func expect(_ delivery: AwaitedDelivery) {
        waiting.withLock { waiting in
            if waiting.count >= capacity { waiting.removeFirst(waiting.count - capacity + 1) }
            waiting.append(delivery)
        }
    }

    /// The run answered by this request, which waits no more.
    func take(requester: JID, requestID: String) -> AwaitedDelivery? {
        waiting.withLock { waiting in
            guard let index = waiting.firstIndex(where: { $0.requester == requester && $0.requestID == requestID }) else { return nil }
            return waiting.remove(at: index)
        }
    }

    var count: Int { waiting.withLock { $0.count } }
}
