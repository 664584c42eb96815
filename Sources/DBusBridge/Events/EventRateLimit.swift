/// At most `limit` messages per key in any minute; the ones held back are counted, and the next
/// message that goes out says how many there were.
///
/// A key is one signal of one block (`2|org.example.Alarm.Raised`) or one unit. The window
/// slides: a message goes out when fewer than `limit` went out in the 60 seconds before it.
/// Keys are bounded, so a service emitting endless distinct members cannot grow it without end.
struct EventRateLimit: Sendable {
    enum Admission: Sendable, Equatable {
        /// Send it; `heldBack` messages of this key were not sent since the last one that was.
        case send(heldBack: Int)
        case holdBack
    }

    let limit: Int
    let window: Double
    let capacity: Int

    private struct History: Sendable {
        /// When the last (up to `limit`) messages went out, oldest first.
        var sent: [Double] = []
        var heldBack = 0
    }

    private var histories: [String: History] = [:]

    init(limit: Int, window: Double = 60, capacity: Int = 1000) {
        self.limit = max(1, limit)
        self.window = window
        self.capacity = capacity
    }

    /// `now` in seconds on a monotonic clock.
    mutating func admit(_ key: String, now: Double) -> Admission {
        var history = histories[key] ?? History()
        history.sent.removeAll { now - $0 >= window }
        let admission: Admission
        if history.sent.count < limit {
            admission = .send(heldBack: history.heldBack)
            history.sent.append(now)
            history.heldBack = 0
        } else {
            history.heldBack += 1
            admission = .holdBack
        }
        if histories[key] == nil, histories.count >= capacity { forgetQuietKeys(now: now) }
        histories[key] = history
        return admission
    }

    /// Drops keys whose window has passed with nothing held back (a new history is the same);
    /// if all are busy, the ones that sent least recently.
    private mutating func forgetQuietKeys(now: Double) {
        histories = histories.filter { _, history in
            history.heldBack > 0 || history.sent.contains { now - $0 < window }
        }
        guard histories.count >= capacity else { return }
        let stalest = histories.sorted { ($0.value.sent.last ?? 0) < ($1.value.sent.last ?? 0) }
            .prefix(histories.count / 2).map(\.key)
        for key in stalest { histories[key] = nil }
    }

    var trackedCount: Int { histories.count }
}
