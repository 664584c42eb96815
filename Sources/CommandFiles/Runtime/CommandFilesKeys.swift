import TOMLConfig

/// The keys of `[commands_d]` in adhocd.toml, declared once for the reader and the reference.
public enum CommandFilesKeys {
    private static let defaults = CommandFilesSettings(directory: "")

    static let directory = ConfigKey(
        "directory", .string, documented: "`commands.d` beside the configuration file",
        "Where definitions are read from, at start and on every reload. A missing directory means no such commands (a warning when set explicitly).")
    static let auditLog = ConfigKey(
        "audit_log", .string, default: defaults.auditLog,
        "The JSON-lines audit log. While it cannot be opened, commands.d commands are refused (nothing runs unaudited); the reload answer and the log say why. Reopened on every reload (log rotation: rotate, then SIGHUP).")
    static let maxRunning = ConfigKey(
        "max_running", .integer(1...1000), default: defaults.maxRunning,
        "Runs of all commands.d commands at once; one more is refused (\"try again\"), not queued. Each definition has its own `max_running` (default 1) too.")
    static let outputLimit = ConfigKey(
        "output_limit", .integer(1024...(128 * 1024)), default: defaults.outputLimit,
        "Bytes kept of a run's standard output (its start) and of its standard error (its end). More is discarded and the answer says so.")
    static let killGrace = ConfigKey(
        "kill_grace", .seconds(0.1...120), default: defaults.killGrace,
        "Seconds between SIGTERM and SIGKILL when a run is stopped (timeout, cancellation, processes left behind).")

    public static let table = ConfigTable("[commands_d]", keys: [directory, auditLog, maxRunning, outputLimit, killGrace])
}
