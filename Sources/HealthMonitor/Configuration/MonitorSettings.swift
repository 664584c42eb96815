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
        typealias Keys = MonitorKeys
        let enabled = try section.read(Keys.enabled)
        var settings = MonitorSettings()
        settings.interval = try section.read(Keys.interval)
        settings.thresholds = HealthThresholds(
            load: try threshold(&section, Keys.loadLimits),
            memory: try threshold(&section, Keys.memoryLimits),
            disk: try threshold(&section, Keys.diskLimits),
            uptime: try threshold(&section, Keys.uptimeLimits),
            failedUnits: try threshold(&section, Keys.failedUnitsLimits))

        settings.load = try section.read(Keys.load)
        settings.memory = try section.read(Keys.memory)
        settings.uptime = try section.read(Keys.uptime)
        let disks = try section.read(Keys.disks)
        for path in disks where !path.hasPrefix("/") {
            throw section.error(Keys.disks.name, "'\(path)' is not an absolute path")
        }
        guard Set(disks).count == disks.count else { throw section.error(Keys.disks.name, "lists a path twice") }
        settings.disks = disks
        settings.failedUnits = try section.read(Keys.failedUnits)
        if let command = try section.read(Keys.probeCommand) {
            settings.probeCommand = try probeCommand(command, &section)
        }
        settings.probeTimeout = try section.read(Keys.probeTimeout)
        let template = try section.read(Keys.format)
        do {
            settings.format = try StatusFormat(template)
        } catch {
            throw section.error(Keys.format.name, error.description)
        }
        let recipients = try section.read(Keys.alerts)
        do throws(AlertRecipientError) {
            settings.alerts = try recipients.map { text throws(AlertRecipientError) in try AlertRecipient(parsing: text) }
        } catch {
            throw section.error(Keys.alerts.name, error.description)
        }
        settings.alertOnRecovery = try section.read(Keys.alertOnRecovery)
        settings.alertInterval = try section.read(Keys.alertInterval)
        return enabled ? settings : nil
    }

    /// `NAME_warning` and `NAME_critical`; 0 switches a limit off, a missing key keeps the default.
    private static func threshold(_ section: inout ConfigSection, _ keys: ThresholdKeys) throws(ConfigurationError) -> Threshold {
        func limit(_ key: ConfigKey<Double>) throws(ConfigurationError) -> Double? {
            let value = try section.read(key)
            return value == 0 ? nil : value
        }
        let threshold = Threshold(warning: try limit(keys.warning), critical: try limit(keys.critical), direction: keys.direction)
        if let warning = threshold.warning, let critical = threshold.critical {
            switch threshold.direction {
            case .above where critical < warning:
                throw section.error(keys.critical.name, "must not be below \(keys.warning.name) (\(warning))")
            case .below where critical > warning:
                throw section.error(keys.critical.name, "must not be above \(keys.warning.name) (\(warning)): the level applies below the limit")
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
            throw section.error(MonitorKeys.probeCommand.name, "names no program (write [\"/path/to/check\", \"arg\", …])")
        }
        if program.contains("/") {
            guard program.hasPrefix("/") else { throw section.error(MonitorKeys.probeCommand.name, "'\(program)' must be an absolute path or a name in PATH") }
            guard access(program, X_OK) == 0 else {
                throw section.error(MonitorKeys.probeCommand.name, "'\(program)' is not an executable file: \(String(cString: strerror(errno)))")
            }
        }
        return command
    }
}
