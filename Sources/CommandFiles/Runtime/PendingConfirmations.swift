import Synchronization

/// Parameters waiting for a yes or no, by session: kept here rather than sent back to the
/// client in hidden fields, so secret values never travel again and cannot be altered.
final class PendingConfirmations: Sendable {
    struct Pending: Sendable {
        var definition: CommandDefinition
        var values: [String: [String]]
    }

    private let state = Mutex<[String: Pending]>([:])

    func store(_ pending: Pending, session: String) {
        state.withLock { $0[session] = pending }
    }

    func take(session: String) -> Pending? {
        state.withLock { $0.removeValue(forKey: session) }
    }

    var count: Int { state.withLock { $0.count } }
}
