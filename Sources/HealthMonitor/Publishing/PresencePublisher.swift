/// Decides when the monitor's presence goes out: only when `show` or the text changed, and
/// never twice within the minimum interval (each presence is a stanza to every contact).
/// Pure: the caller passes the time, so tests drive it with made-up instants.
public struct PresencePublisher: Sendable {
    public enum Decision: Sendable, Equatable {
        case send(HealthPresence)
        /// The same as what contacts already see.
        case unchanged
        /// Changed, but too soon after the last one: offer it again at this instant.
        case wait(until: ContinuousClock.Instant)
    }

    public let minimumInterval: Duration
    public private(set) var published: HealthPresence?
    private var publishedAt: ContinuousClock.Instant?

    public init(minimumInterval: Duration) {
        self.minimumInterval = minimumInterval
    }

    /// Offers the latest presence; a `.send` counts as sent.
    public mutating func offer(_ presence: HealthPresence, at now: ContinuousClock.Instant) -> Decision {
        guard presence != published else { return .unchanged }
        if let publishedAt, now < publishedAt + minimumInterval {
            return .wait(until: publishedAt + minimumInterval)
        }
        published = presence
        publishedAt = now
        return .send(presence)
    }
}
