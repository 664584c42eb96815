/// A warning and a critical limit for one measured value; either may be off (nil).
public struct Threshold: Sendable, Equatable {
    public enum Direction: Sendable, Equatable {
        /// The level applies from the limit upwards (load, memory, disk use, failed units).
        case above
        /// The level applies below the limit (uptime: a recent reboot).
        case below
    }

    public var warning: Double?
    public var critical: Double?
    public var direction: Direction

    public init(warning: Double?, critical: Double?, direction: Direction = .above) {
        self.warning = warning
        self.critical = critical
        self.direction = direction
    }

    public static func above(warning: Double?, critical: Double?) -> Threshold {
        Threshold(warning: warning, critical: critical, direction: .above)
    }

    public static func below(warning: Double?, critical: Double?) -> Threshold {
        Threshold(warning: warning, critical: critical, direction: .below)
    }

    public func level(for value: Double) -> HealthLevel {
        if let critical, reaches(value, critical) { return .critical }
        if let warning, reaches(value, warning) { return .warning }
        return .ok
    }

    private func reaches(_ value: Double, _ limit: Double) -> Bool {
        switch direction {
        case .above: value >= limit
        case .below: value < limit
        }
    }
}
