import Synchronization

/// Fans events out to any number of async-sequence subscribers.
///
/// Each subscriber gets its own buffer; a slow one loses its oldest events rather than
/// blocking the connection. A subscriber may name the events it wants: the others are not
/// queued for it, so its task is not woken for them (every answer's delivery report is an
/// event, and waking two idle subscribers for each cost a ping 9 % more instructions).
public final class EventBroadcaster<Event: Sendable>: Sendable {
    public typealias Filter = @Sendable (Event) -> Bool

    /// A class: copied out of the list as a reference, where a generic struct went through
    /// value witnesses and metadata look-ups for each subscriber on every event.
    private final class Subscriber: Sendable {
        let token: Int
        let continuation: AsyncStream<Event>.Continuation
        let wants: Filter?

        init(token: Int, continuation: AsyncStream<Event>.Continuation, wants: Filter?) {
            self.token = token
            self.continuation = continuation
            self.wants = wants
        }
    }

    private struct State {
        var nextToken = 0
        /// An array, so `yield` takes the list by reference (a dictionary's values were copied
        /// into a new array on every event).
        var subscribers: [Subscriber] = []
    }

    private let state = Mutex(State())
    private let bufferSize: Int

    public init(bufferSize: Int = 1024) {
        self.bufferSize = bufferSize
    }

    /// A stream of the events `wants` accepts (all of them without it), from now on.
    public func subscribe(wants: Filter? = nil) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        let token = state.withLock { state in
            defer { state.nextToken += 1 }
            state.subscribers.append(Subscriber(token: state.nextToken, continuation: continuation, wants: wants))
            return state.nextToken
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { $0.subscribers.removeAll { $0.token == token } }
        }
        return stream
    }

    public func yield(_ event: Event) {
        let subscribers = state.withLock { $0.subscribers }
        for subscriber in subscribers where subscriber.wants?(event) ?? true { subscriber.continuation.yield(event) }
    }

    public func finish() {
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return state.subscribers
        }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }
}
