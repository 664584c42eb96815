import DBus
import TOMLConfig
import XMPPCore
#if canImport(Glibc)
import Glibc
#endif

/// The `[monitor]` section: what to check, how often, how to word it, whom to alert.
public struct MonitorSettings: Sendable, Equatable {
    /// How often the probes run, and the least time between two presence updates.
    public var interval: Duration = .seconds(60)
    public var thresholds = HealthThresholds()
    /// Which built-in probes run.
    public var load = true
    public var memory = true
    /// File systems whose use is checked, by a path on each; empty for none.
    public var disks: [String] = ["/"]
    public var uptime = true
    /// Ask systemd for failed units over the system bus.
    public var failedUnits = true
    /// Where to find systemd; tests point it at a private bus.
    public var systemBus: DBusBusAddress = .system
    /// argv of the probe command; empty for none.
    public var probeCommand: [String] = []
    /// How long any probe may take before it counts as timed out (the command is killed).
    public var probeTimeout: Duration = .seconds(10)
    public var format: StatusFormat = .default
    public var alerts: [AlertRecipient] = []
    public var alertOnRecovery = true
    /// The least time between two alert messages.
    public var alertInterval: Duration = .seconds(300)

    public init() {}

    /// Every group the alert recipients name, for the "unknown group" warning.
    public var groupNames: Set<String> {
        Set(alerts.compactMap { if case .group(let name) = $0 { name } else { nil } })
    }

    /// Reads `[monitor]`; nil when it says `enabled = false` (its keys are still checked).
    public static func read(_ section: inout ConfigSection) throws(ConfigurationError) -> MonitorSettings? {
        let enabled = try section.bool("enabled") ?? true
        var settings = MonitorSettings()
        if let interval = try section.seconds("interval", in: 0.2...86_400) { settings.interval = interval }

        let defaults = HealthThresholds()
        settings.thresholds = HealthThresholds(
            load: try threshold(&section, "load", in: 0...1000, unit: "per processor", default: defaults.load),
            memory: try threshold(&section, "memory", in: 0...100, unit: "percent", default: defaults.memory),
            disk: try threshold(&section, "disk", in: 0...100, unit: "percent", default: defaults.disk),
            uptime: try threshold(&section, "uptime", in: 0...315_360_000, unit: "seconds", default: defaults.uptime),
            failedUnits: try threshold(&section, "failed_units", in: 0...100_000, unit: "units", default: defaults.failedUnits))

        settings.load = try section.bool("load") ?? true
        settings.memory = try section.bool("memory") ?? true
        settings.uptime = try section.bool("uptime") ?? true
        if let disks = try section.stringList("disks") {
            for path in disks where !path.hasPrefix("/") {
                throw section.error("disks", "'\(path)' is not an absolute path")
            }
            guard Set(disks).count == disks.count else { throw section.error("disks", "lists a path twice") }
            settings.disks = disks
        }
        settings.failedUnits = try section.bool("failed_units") ?? true
        if let command = try section.stringList("probe_command") {
            settings.probeCommand = try probeCommand(command, &section)
        }
        if let timeout = try section.seconds("probe_timeout", in: 0.1...3600) { settings.probeTimeout = timeout }
        if let template = try section.string("format") {
            do {
                settings.format = try StatusFormat(template)
            } catch {
                throw section.error("format", error.description)
            }
        }
        if let recipients = try section.stringList("alerts") {
            do throws(AlertRecipientError) {
                settings.alerts = try recipients.map { text throws(AlertRecipientError) in try AlertRecipient(parsing: text) }
            } catch {
                throw section.error("alerts", error.description)
            }
        }
        settings.alertOnRecovery = try section.bool("alert_on_recovery") ?? true
        if let interval = try section.seconds("alert_interval", in: 0...86_400) { settings.alertInterval = interval }
        return enabled ? settings : nil
    }

    /// `NAME_warning` and `NAME_critical`; 0 switches a limit off, a missing key keeps the default.
    private static func threshold(
        _ section: inout ConfigSection, _ name: String, in range: ClosedRange<Double>, unit: String, default fallback: Threshold
    ) throws(ConfigurationError) -> Threshold {
        func limit(_ key: String, _ fallback: Double?) throws(ConfigurationError) -> Double? {
            guard let value = try section.number(key, in: range, unit: unit) else { return fallback }
            return value == 0 ? nil : value
        }
        let threshold = Threshold(
            warning: try limit("\(name)_warning", fallback.warning),
            critical: try limit("\(name)_critical", fallback.critical),
            direction: fallback.direction)
        if let warning = threshold.warning, let critical = threshold.critical {
            switch threshold.direction {
            case .above where critical < warning:
                throw section.error("\(name)_critical", "must not be below \(name)_warning (\(warning))")
            case .below where critical > warning:
                throw section.error("\(name)_critical", "must not be above \(name)_warning (\(warning)): the level applies below the limit")
            default:
                break
            }
        }
        return threshold
    }

    /// argv: a program (a name looked up in PATH, or an absolute path to an executable) and
    /// its arguments, run without a shell.
    private static func probeCommand(_ command: [String], _ section: inout ConfigSection) throws(ConfigurationError) -> [String] {
        guard let program = command.first, !program.isEmpty else {
            throw section.error("probe_command", "names no program (write [\"/path/to/check\", \"arg\", …])")
        }
        if program.contains("/") {
            guard program.hasPrefix("/") else { throw section.error("probe_command", "'\(program)' must be an absolute path or a name in PATH") }
            guard access(program, X_OK) == 0 else {
                throw section.error("probe_command", "'\(program)' is not an executable file: \(String(cString: strerror(errno)))")
            }
        }
        return command
    }
}
