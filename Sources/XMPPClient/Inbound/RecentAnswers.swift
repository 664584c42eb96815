import NIOCore
import Synchronization
import XMPPCore

/// Requests seen lately, by sender and id, with their answers: a request that arrives again
/// (clients re-send after their own reconnect) is answered from here or joins the run still
/// going, and never runs twice.
///
/// The payload's hash is kept too, so a client that reuses an id for a different request gets
/// that request run. Bounded in time (the window), count and bytes: the oldest go first.
final class RecentAnswers: Sendable {
    struct Key: Hashable, Sendable {
        // The id comes first so keys compare unequal at once: the requests kept mostly share
        // one sender, and comparing it first cost a third of each lookup (callgrind).
        var id: String
        var sender: JID

        init(sender: JID, id: String) {
            self.id = id
            self.sender = sender
        }
    }

    /// What `finish` needs of a request `begin` let run: the payload is hashed once, there.
    struct Ticket: Sendable, Equatable {
        var key: Key
        var fingerprint: Int
    }

    enum Lookup: Sendable, Equatable {
        /// New: run it, then `finish` the ticket with its answer.
        case start(Ticket)
        /// The same request is still running: its answer will serve both.
        case running
        /// Answered before: send this again.
        case answered(XMLElement)
    }

    private struct Entry {
        var fingerprint: Int
        var answer: XMLElement?
        var bytes = 0
        var seen: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Keys in the order they were seen (stale ones are skipped when met).
        var order = CircularBuffer<(key: Key, seen: ContinuousClock.Instant)>()
        var bytes = 0
    }

    private let window: Duration
    private let capacity: Int
    private let byteLimit: Int
    private let state = Mutex(State())

    init(window: Duration, capacity: Int = 1_024, byteLimit: Int = 8 * 1_024 * 1_024) {
        self.window = window
        self.capacity = capacity
        self.byteLimit = byteLimit
    }

    func begin(_ key: Key, payload: XMLElement, now: ContinuousClock.Instant = .now) -> Lookup {
        let fingerprint = payload.hashValue
        return state.withLock { state in
            expire(&state, now: now)
            // A new request is the common case: the entry goes in with one lookup of the key
            // (hashing a key costs about as much as the rest of this), and the entry it
            // replaced is put back when it turns out to be the same request.
            let entry = Entry(fingerprint: fingerprint, seen: now)
            if let replaced = state.entries.updateValue(entry, forKey: key) {
                if replaced.fingerprint == fingerprint {
                    state.entries[key] = replaced
                    return replaced.answer.map(Lookup.answered) ?? .running
                }
                state.bytes -= replaced.bytes
            }
            state.order.append((key, now))
            while state.entries.count > capacity, let oldest = state.order.popFirst() { remove(oldest, from: &state) }
            return .start(Ticket(key: key, fingerprint: fingerprint))
        }
    }

    /// Keeps the answer of a request begun with `begin`, unless that request is gone (expired,
    /// evicted, or its id reused for another payload since).
    func finish(_ ticket: Ticket, answer: XMLElement) {
        let bytes = answer.serializedByteCount(inheritedNamespace: StreamNamespace.client)
        state.withLock { state in
            guard let index = state.entries.index(forKey: ticket.key) else { return }
            let entry = state.entries.values[index]
            guard entry.fingerprint == ticket.fingerprint, entry.answer == nil else { return }
            state.entries.values[index].answer = answer
            state.entries.values[index].bytes = bytes
            state.bytes += bytes
            while state.bytes > byteLimit, let oldest = state.order.popFirst() { remove(oldest, from: &state) }
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// The bytes the kept answers take as written on the stream.
    var bytes: Int { state.withLock { $0.bytes } }

    private func expire(_ state: inout State, now: ContinuousClock.Instant) {
        while let oldest = state.order.first, now - oldest.seen > window {
            remove(state.order.removeFirst(), from: &state)
        }
    }

    private func remove(_ item: (key: Key, seen: ContinuousClock.Instant), from state: inout State) {
        guard let entry = state.entries[item.key], entry.seen == item.seen else { return }
        state.bytes -= entry.bytes
        state.entries[item.key] = nil
    }
}
