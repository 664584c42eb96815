import HostMetrics

/// The limits each built-in probe is judged by.
public struct HealthThresholds: Sendable, Equatable {
    /// One-minute load average per processor.
    public var load: Threshold
    /// Percent of memory in use (total minus MemAvailable).
    public var memory: Threshold
    /// Percent of each disk in use, as `df` computes it.
    public var disk: Threshold
    /// Seconds since boot; limits apply below (a recent reboot).
    public var uptime: Threshold
    /// Number of failed systemd units.
    public var failedUnits: Threshold

    public init(
        load: Threshold = .above(warning: 1.0, critical: 2.0),
        memory: Threshold = .above(warning: 85, critical: 95),
        disk: Threshold = .above(warning: 85, critical: 95),
        uptime: Threshold = .below(warning: nil, critical: nil),
        failedUnits: Threshold = .above(warning: 1, critical: nil)
    ) {
        self.load = load
        self.memory = memory
        self.disk = disk
        self.uptime = uptime
        self.failedUnits = failedUnits
    }
}

/// Turns probe results into levels and short texts. Pure: tests feed it readings.
public struct HealthEvaluator: Sendable {
    public var thresholds: HealthThresholds

    public init(thresholds: HealthThresholds) {
        self.thresholds = thresholds
    }

    public func evaluate(_ results: [ProbeResult]) -> HealthReport {
        HealthReport(items: results.map(item(for:)))
    }

    func item(for result: ProbeResult) -> HealthItem {
        let kind = result.kind
        switch result.outcome {
        case .reading(let reading):
            return item(kind, reading)
        case .failed(let reason):
            // The machine may be fine, but we cannot tell: worth a look, not an emergency.
            return HealthItem(kind: kind, level: .warning, text: "\(kind): \(reason)", isGlanceable: true)
        case .timedOut:
            return HealthItem(kind: kind, level: .warning, text: "\(kind): timed out", isGlanceable: true)
        case .unavailable:
            return HealthItem(kind: kind, level: .ok, text: "\(kind) unavailable", isGlanceable: false, isAvailable: false)
        }
    }

    private func item(_ kind: ProbeKind, _ reading: Reading) -> HealthItem {
        switch reading {
        case .load(let oneMinute, let processors):
            let level = thresholds.load.level(for: oneMinute / Double(max(1, processors)))
            return measured(kind, level, "load \(Format.decimal(oneMinute, places: 1))", glanceable: true)
        case .memory(let percent):
            return measured(kind, thresholds.memory.level(for: Double(percent)), "mem \(percent)%", glanceable: true)
        case .disk(let percent):
            return measured(kind, thresholds.disk.level(for: Double(percent)), "\(Self.path(of: kind)) \(percent)%", glanceable: true)
        case .uptime(let seconds):
            return measured(kind, thresholds.uptime.level(for: seconds), "up \(Self.shortDuration(seconds))", glanceable: false)
        case .failedUnits(let names):
            let level = thresholds.failedUnits.level(for: Double(names.count))
            return HealthItem(kind: kind, level: level, text: Self.failedUnitsText(names), isGlanceable: false)
        case .command(let status, let line):
            return commandItem(kind, status: status, line: line)
        }
    }

    /// A number judged by a threshold; its level is spelled out when it is not ok.
    private func measured(_ kind: ProbeKind, _ level: HealthLevel, _ text: String, glanceable: Bool) -> HealthItem {
        HealthItem(kind: kind, level: level, text: level == .ok ? text : "\(text) (\(level))", isGlanceable: glanceable)
    }

    /// Exit 0, 1, 2 are ok, warning, critical (the Nagios plugin convention); the first output
    /// line is the text. Any other status means the check itself broke.
    private func commandItem(_ kind: ProbeKind, status: Int32, line: String) -> HealthItem {
        let label = kind.description
        let level: HealthLevel
        switch status {
        case 0: level = .ok
        case 1: level = .warning
        case 2: level = .critical
        default:
            let text = line.isEmpty ? "\(label): exit \(status)" : "\(label): exit \(status) (\(line))"
            return HealthItem(kind: kind, level: .warning, text: text, isGlanceable: true)
        }
        return HealthItem(kind: kind, level: level, text: line.isEmpty ? "\(label) \(level)" : line, isGlanceable: true)
    }

    // MARK: Wording

    static func path(of kind: ProbeKind) -> String {
        if case .disk(let path) = kind { return path }
        return "disk"
    }

    /// The largest unit only ("12 d", "5 h", "3 min", "40 s"): a glance, and it changes rarely.
    static func shortDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e12 else { return "?" }
        let whole = Int(seconds)
        if whole >= 86_400 { return "\(whole / 86_400) d" }
        if whole >= 3600 { return "\(whole / 3600) h" }
        if whole >= 60 { return "\(whole / 60) min" }
        return "\(whole) s"
    }

    static func failedUnitsText(_ names: [String]) -> String {
        guard !names.isEmpty else { return "no failed units" }
        let shown = names.prefix(3).joined(separator: ", ")
        return names.count > 3 ? "failed: \(shown) +\(names.count - 3)" : "failed: \(shown)"
    }
}
