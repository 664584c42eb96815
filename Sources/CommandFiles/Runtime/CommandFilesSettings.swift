import TOMLConfig
#if canImport(Glibc)
import Glibc
#endif

/// The `[commands_d]` table of adhocd.toml.
public struct CommandFilesSettings: Sendable, Equatable {
    /// Where definitions live; relative paths are taken from the configuration file's directory.
    public var directory: String
    /// True when the configuration names the directory: then its absence is worth a warning.
    public var directoryIsExplicit: Bool
    /// The JSON-lines audit log.
    public var auditLog: String
    /// Runs of all commands.d commands together at once.
    public var maxRunning: Int
    /// Bytes kept of each of a run's standard output and error.
    public var outputLimit: Int
    /// Between SIGTERM and SIGKILL when a run is stopped.
    public var killGrace: Duration

    public static let defaultAuditLog = "/var/log/adhocd/commands.jsonl"

    public init(directory: String, directoryIsExplicit: Bool = false, auditLog: String = defaultAuditLog,
                maxRunning: Int = 4, outputLimit: Int = 64 * 1024, killGrace: Duration = .seconds(5)) {
        self.directory = directory
        self.directoryIsExplicit = directoryIsExplicit
        self.auditLog = auditLog
        self.maxRunning = maxRunning
        self.outputLimit = outputLimit
        self.killGrace = killGrace
    }

    /// The defaults for a configuration file: `commands.d` beside it.
    public init(configurationFile: String) {
        self.init(directory: Self.resolve("commands.d", against: configurationFile))
    }

    /// Reads `[commands_d]`; every key is optional.
    public static func read(_ section: inout ConfigSection, configurationFile: String) throws(ConfigurationError) -> CommandFilesSettings {
        typealias Keys = CommandFilesKeys
        var settings = CommandFilesSettings(configurationFile: configurationFile)
        if let directory = try section.read(Keys.directory) {
            guard !directory.isEmpty else { throw section.error(Keys.directory.name, "is empty; leave it out for commands.d beside the configuration") }
            settings.directory = resolve(directory, against: configurationFile)
            settings.directoryIsExplicit = true
        }
        let auditLog = try section.read(Keys.auditLog)
        guard !auditLog.isEmpty else { throw section.error(Keys.auditLog.name, "is empty; give a file path") }
        settings.auditLog = resolve(auditLog, against: configurationFile)
        settings.maxRunning = try section.read(Keys.maxRunning)
        settings.outputLimit = try section.read(Keys.outputLimit)
        settings.killGrace = try section.read(Keys.killGrace)
        return settings
    }

    /// `path` as an absolute path: relative ones start at the configuration file's directory.
    static func resolve(_ path: String, against configurationFile: String) -> String {
        if path.hasPrefix("/") { return path }
        var base = configurationFile.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !configurationFile.hasPrefix("/") {
            let directory = getcwd(nil, 0)
            defer { free(directory) }
            let cwd = directory.map { String(cString: $0) } ?? "/"
            base = base.isEmpty ? cwd : "\(cwd)/\(base)"
        }
        if base.isEmpty { base = "/" }
        return base.hasSuffix("/") ? base + path : "\(base)/\(path)"
    }
}
