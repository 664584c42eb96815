import TOMLConfig

/// The keys of `[monitor]`, declared once: `MonitorSettings.read` reads them, the reference
/// (docs/configuration.md, adhocd.toml(5)) is written from them.
public enum MonitorKeys {
    private static let defaults = MonitorSettings()

    static let enabled = ConfigKey(
        "enabled", .boolean, default: true, "Run the monitor (the section's other keys are still checked when `false`).")
    static let interval = ConfigKey(
        "interval", .seconds(0.2...86_400), default: defaults.interval,
        "Seconds between checks; also the least time between two presence updates.")
    static let load = ConfigKey("load", .boolean, default: defaults.load, "Check the one-minute load average.")
    static let loadLimits = ThresholdKeys(
        "load", 0...1000, unit: "per processor", default: defaults.thresholds.load,
        "Load per processor (a load of 3 on 4 processors is 0.75).")
    static let memory = ConfigKey("memory", .boolean, default: defaults.memory, "Check memory use (total minus `MemAvailable`).")
    static let memoryLimits = ThresholdKeys("memory", 0...100, unit: "percent", default: defaults.thresholds.memory, "Percent in use.")
    static let disks = ConfigKey(
        "disks", .strings, default: defaults.disks, "Absolute paths whose file system's use is checked (`[]` for none).")
    static let diskLimits = ThresholdKeys(
        "disk", 0...100, unit: "percent", default: defaults.thresholds.disk, "Percent in use, as `df` computes it.")
    static let uptime = ConfigKey(
        "uptime", .boolean, default: defaults.uptime, "Read the uptime (shown with `{uptime}`; judged only with limits).")
    static let uptimeLimits = ThresholdKeys(
        "uptime", 0...315_360_000, unit: "seconds", default: defaults.thresholds.uptime,
        "Seconds since boot *below* which the level applies: `uptime_warning = 900` says \"rebooted\" for 15 minutes.")
    static let failedUnits = ConfigKey(
        "failed_units", .boolean, default: defaults.failedUnits,
        "Ask systemd for failed units over the system bus. Where there is no system bus or no systemd, the check is left out (logged once), never a warning.")
    static let failedUnitsLimits = ThresholdKeys(
        "failed_units", 0...100_000, unit: "units", default: defaults.thresholds.failedUnits, "Number of failed units.")
    static let probeCommand = ConfigKey(
        "probe_command", .strings,
        "`[\"/path/to/check\", \"arg\", …]`: a program (absolute path, or a name found in `PATH`) run without a shell at every check. Exit status 0 is ok, 1 warning, 2 critical (the Nagios plugin convention), anything else counts as a warning saying the check broke; its first output line is the text.")
    static let probeTimeout = ConfigKey(
        "probe_timeout", .seconds(0.1...3600), default: defaults.probeTimeout,
        "Seconds any check may take. A probe command still running then is killed with its whole process group; a check that hangs (a dead network mount) counts as a warning \"timed out\" and is not started again until it returns.")
    static let format = ConfigKey(
        "format", .string, default: defaults.format.template,
        "The status text. Placeholders: `{summary}` (what is wrong first, then load, memory, disks and the probe command's line), `{problems}`, `{load}`, `{memory}`, `{disks}`, `{uptime}`, `{units}`, `{command}`, `{host}`, `{level}`. Parts are joined with ` · `; an empty part takes its `·` with it. At most 200 characters.")
    static let alerts = ConfigKey(
        "alerts", .strings, default: [],
        "Who gets a chat message when the level worsens (the first check counts as worsening from ok if it finds a problem): `jid:user@host`, `group:NAME` (the members of that roster group at that moment). They also hear at once of a unit of a `preset = \"systemd\"` block entering `failed` (see [D-Bus events](dbus.md#events-signals-the-user-tune-failed-units)).")
    static let alertOnRecovery = ConfigKey(
        "alert_on_recovery", .boolean, default: defaults.alertOnRecovery,
        "Also send one when the level improves (back to ok, or critical to warning).")
    static let alertInterval = ConfigKey(
        "alert_interval", .seconds(0...86_400), default: defaults.alertInterval,
        "Least seconds between two alerts. A change held back is sent afterwards if it still holds; one that came and went meanwhile is not.")

    public static let table = ConfigTable("[monitor]", keys: [
        enabled, interval, load, loadLimits, memory, memoryLimits, disks, diskLimits, uptime, uptimeLimits, failedUnits,
        failedUnitsLimits, probeCommand, probeTimeout, format, alerts, alertOnRecovery, alertInterval,
    ])
}

/// `NAME_warning` and `NAME_critical`, documented as one row: 0 switches a limit off.
struct ThresholdKeys: DocumentedKey {
    let stem: String
    let warning: ConfigKey<Double>
    let critical: ConfigKey<Double>
    let direction: Threshold.Direction
    let summary: String

    init(_ stem: String, _ range: ClosedRange<Double>, unit: String, default threshold: Threshold, _ summary: String) {
        func key(_ level: String, _ limit: Double?) -> ConfigKey<Double> {
            let name = "\(stem)_\(level)"
            let type = ConfigType<Double>.number(range, unit: unit)
            guard let limit else { return ConfigKey(name, type, default: 0, documented: "0 (off)", summary) }
            return ConfigKey(name, type, default: limit, summary)
        }
        self.stem = stem
        warning = key("warning", threshold.warning)
        critical = key("critical", threshold.critical)
        direction = threshold.direction
        self.summary = summary
    }

    var rows: [KeyRow] { [KeyRow(together: [warning, critical], summary)] }
}
