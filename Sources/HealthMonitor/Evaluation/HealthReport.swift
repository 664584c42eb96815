/// One probe's verdict: its level and the few words a contact list shows for it.
public struct HealthItem: Sendable, Equatable {
    public var kind: ProbeKind
    public var level: HealthLevel
    /// "load 0.4", "/ 61%", "/srv 97% (critical)", "load: timed out".
    public var text: String
    /// Shown in the summary even when fine: the numbers people glance at (load, memory,
    /// disks, the probe command's line). Uptime and failed units only speak up when wrong.
    public var isGlanceable: Bool
    /// False when the probe's facility is missing here (no systemd): left out of the summary.
    public var isAvailable: Bool

    public init(kind: ProbeKind, level: HealthLevel, text: String, isGlanceable: Bool, isAvailable: Bool = true) {
        self.kind = kind
        self.level = level
        self.text = text
        self.isGlanceable = isGlanceable
        self.isAvailable = isAvailable
    }
}

/// Every probe's verdict from one round, in configuration order.
public struct HealthReport: Sendable, Equatable {
    public var items: [HealthItem]

    public init(items: [HealthItem]) {
        self.items = items
    }

    /// The worst level of any probe.
    public var level: HealthLevel { items.map(\.level).max() ?? .ok }

    /// What is wrong, worst first (configuration order among equals).
    public var problems: [HealthItem] {
        items.enumerated()
            .filter { $0.element.level > .ok }
            .sorted { ($0.element.level, $1.offset) > ($1.element.level, $0.offset) }
            .map(\.element)
    }

    /// The glance: problems first, then the numbers that are fine.
    public var summary: [HealthItem] {
        problems + items.filter { $0.level == .ok && $0.isGlanceable && $0.isAvailable }
    }
}
