/// A chat message about a change of level.
public struct HealthAlert: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        public var from: HealthLevel
        public var to: HealthLevel

        public init(from: HealthLevel, to: HealthLevel) {
            self.from = from
            self.to = to
        }

        public var isWorse: Bool { to > from }
    }

    public var change: Change
    /// "web1 is critical (was ok): / 97% (critical) · load 0.4"
    public var body: String

    public init(change: Change, host: String, status: String) {
        self.change = change
        let state = change.to == .ok ? "back to ok" : "\(change.to)"
        body = "\(host) is \(state) (was \(change.from))" + (status.isEmpty ? "" : ": \(status)")
    }
}
