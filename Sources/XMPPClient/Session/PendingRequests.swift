import NIOCore
import Synchronization
import XMPPCore

/// Requests sent and waiting for their answer, by stanza id.
///
/// An answer counts only if it comes from the entity we asked (RFC 6120 §8.1.2.1); anything
/// else with the same id is ignored, so a third party cannot answer for the server. Whoever
/// waits gets the answer through a callback run where the answer is read, in stream order:
/// the roster fetched at login is applied before any push that follows it.
final class PendingRequests: Sendable {
    typealias Completion = @Sendable (Result<IQ, any Error>) -> Void

    private struct Entry {
        var completion: Completion
        var acceptedSenders: Set<JID?>
        var timeout: Scheduled<Void>?
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Registers `id` before its request is written, so a fast answer is never missed.
    /// False when a request with this id is already waiting (the caller must not send).
    func register(id: String, acceptedSenders: Set<JID?>, completion: @escaping Completion) -> Bool {
        entries.withLock { entries in
            guard entries[id] == nil else { return false }
            entries[id] = Entry(completion: completion, acceptedSenders: acceptedSenders)
            return true
        }
    }

    func setTimeout(id: String, _ scheduled: Scheduled<Void>) {
        let stale = entries.withLock { entries -> Bool in
            guard entries[id] != nil else { return true }
            entries[id]?.timeout = scheduled
            return false
        }
        if stale { scheduled.cancel() }
    }

    /// Delivers an answer; false if nothing waits for it (or it came from the wrong sender).
    /// An error answer reaches the waiter as its `StanzaError`.
    func resolve(_ answer: IQ, from sender: JID?) -> Bool {
        guard let id = answer.id else { return false }
        let entry = entries.withLock { entries -> Entry? in
            guard let entry = entries[id], entry.acceptedSenders.contains(sender) else { return nil }
            entries[id] = nil
            return entry
        }
        guard let entry else { return false }
        entry.timeout?.cancel()
        if answer.kind == .error {
            entry.completion(.failure(answer.error ?? StanzaError(.undefinedCondition)))
        } else {
            entry.completion(.success(answer))
        }
        return true
    }

    func fail(id: String, with error: any Error) {
        let entry = entries.withLock { $0.removeValue(forKey: id) }
        entry?.timeout?.cancel()
        entry?.completion(.failure(error))
    }

    func failAll(with error: any Error) {
        let all = entries.withLock { entries in
            defer { entries.removeAll() }
            return Array(entries.values)
        }
        for entry in all {
            entry.timeout?.cancel()
            entry.completion(.failure(error))
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
