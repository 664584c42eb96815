/// Decides when people are told by chat message: when the level gets worse than what they
/// last heard, and (optionally) when it gets better; never twice within the minimum interval.
/// A change held back by the interval is not lost: the next offer compares against what was
/// last announced, so a problem that persists is still reported, and one that came and went
/// meanwhile is not. Pure, with the time passed in.
public struct AlertPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        case none
        case send(HealthAlert.Change)
        case wait(until: ContinuousClock.Instant)
    }

    public let minimumInterval: Duration
    public let announcesRecovery: Bool
    /// The level recipients last heard of; they start out assuming all is well.
    public private(set) var announced: HealthLevel = .ok
    private var lastAlertAt: ContinuousClock.Instant?

    public init(minimumInterval: Duration, announcesRecovery: Bool) {
        self.minimumInterval = minimumInterval
        self.announcesRecovery = announcesRecovery
    }

    public mutating func offer(_ level: HealthLevel, at now: ContinuousClock.Instant) -> Decision {
        guard level != announced else { return .none }
        if level < announced, !announcesRecovery {
            announced = level
            return .none
        }
        if let lastAlertAt, now < lastAlertAt + minimumInterval {
            return .wait(until: lastAlertAt + minimumInterval)
        }
        let change = HealthAlert.Change(from: announced, to: level)
        announced = level
        lastAlertAt = now
        return .send(change)
    }
}
