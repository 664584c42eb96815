import Synchronization

/// Parameters waiting for a yes or no, by session: kept here rather than sent back to the
/// client in hidden fields, so secret values never travel again and cannot be altered.
///
/// Sessions normally end through `take` (answered) or `cancel` (cancelled, expired). A session
/// the responder drops without telling the command (its permission withdrawn, its command gone
/// after a reload) would leave its values here, secrets included: entries older than `lifetime`
/// are dropped whenever another is stored.
final class PendingConfirmations: Sendable {
    struct Pending: Sendable {
        var definition: CommandDefinition
        var values: [String: [String]]
    }

    private struct Entry {
        var pending: Pending
        var stored: ContinuousClock.Instant
    }

    /// Longer than any session may stay idle (`[adhoc] session_timeout` is at most a day).
    static let lifetime = Duration.seconds(86_400)

    private let state = Mutex<[String: Entry]>([:])
    private let now: @Sendable () -> ContinuousClock.Instant

    init(now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.now = now
    }

    func store(_ pending: Pending, session: String) {
        let now = now()
        state.withLock { entries in
            entries = entries.filter { now - $0.value.stored < Self.lifetime }
            entries[session] = Entry(pending: pending, stored: now)
        }
    }

    func take(session: String) -> Pending? {
        state.withLock { $0.removeValue(forKey: session)?.pending }
    }

    var count: Int { state.withLock { $0.count } }
}
