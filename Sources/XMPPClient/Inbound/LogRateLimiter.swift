import Synchronization

/// Lets one log line per key through per interval, and counts the ones held back, so a
/// stranger who repeats a bad stanza every millisecond cannot flood the journal.
///
/// Remembers at most `capacity` keys; past that the oldest is forgotten (its next line then
/// goes through, which errs on the side of saying too much).
final class LogRateLimiter: Sendable {
    struct Entry {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    private let interval: Duration
    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(interval: Duration = .seconds(60), capacity: Int = 256) {
        self.interval = interval
        self.capacity = capacity
    }

    /// Nil when the line is held back; else how many lines were held back for this key since
    /// the last one that went through.
    func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        entries.withLock { entries in
            if var entry = entries[key] {
                guard now - entry.lastLogged >= interval else {
                    entry.suppressed += 1
                    entries[key] = entry
                    return nil
                }
                entries[key] = Entry(lastLogged: now, suppressed: 0)
                return entry.suppressed
            }
            if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastLogged < $1.value.lastLogged })?.key {
                entries[oldest] = nil
            }
            entries[key] = Entry(lastLogged: now, suppressed: 0)
            return 0
        }
    }
}
