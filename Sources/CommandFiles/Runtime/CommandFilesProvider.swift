import Commands
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the registry's "commands.d" commands in step with the directory: loads at start and
/// on each reload, reports what was added, changed, removed and skipped.
public final class CommandFilesProvider: Sendable {
    public static let providerName = "commands.d"

    public let runtime: CommandFilesRuntime
    private let registry: CommandRegistry
    private let reservedNodes: Set<String>
    private let logger: Logger
    /// The last scan of the directory.
    private let loaded = Mutex(LoadReport(directory: ""))

    public init(settings: CommandFilesSettings, registry: CommandRegistry, reservedNodes: Set<String>, logger: Logger) {
        runtime = CommandFilesRuntime(settings: settings, logger: logger)
        self.registry = registry
        self.reservedNodes = reservedNodes
        self.logger = logger
    }

    /// What a load did.
    public struct Outcome: Sendable {
        public var report: LoadReport
        public var changes: CommandChanges
        public var auditProblem: String?

        /// One sentence for the reload answer.
        public var summary: String {
            var parts: [String] = []
            if !report.directoryExists {
                parts.append("\(report.directory) does not exist")
            } else if changes.isEmpty {
                parts.append("\(report.definitions.count) command\(report.definitions.count == 1 ? "" : "s"), unchanged")
            } else {
                parts.append(changes.summary)
            }
            if !report.problems.isEmpty {
                let files = report.problems.count == 1 ? "1 file" : "\(report.problems.count) files"
                parts.append("\(files) skipped: " + report.problems.map(\.description).joined(separator: "; "))
            }
            if auditProblem != nil { parts.append("audit log unavailable, runs refused") }
            return "commands.d: " + parts.joined(separator: "; ")
        }
    }

    /// Applies `settings`, reads the directory, and replaces this provider's commands.
    @discardableResult
    public func load(_ settings: CommandFilesSettings) -> Outcome {
        let auditProblem = runtime.apply(settings)
        let directory = CommandDirectory(
            path: settings.directory, reader: DefinitionReader(isRoot: geteuid() == 0), reservedNodes: reservedNodes)
        let report = directory.load()
        let commands: [any Command] = report.definitions.map { FileCommand(definition: $0, runtime: runtime) }
        registry.setCommands(commands, provider: Self.providerName)
        let changes = loaded.withLock { previous in
            defer { previous = report }
            return CommandChanges(from: previous.definitions, to: report.definitions)
        }
        log(report, changes: changes, explicit: settings.directoryIsExplicit)
        return Outcome(report: report, changes: changes, auditProblem: auditProblem)
    }

    private func log(_ report: LoadReport, changes: CommandChanges, explicit: Bool) {
        if !report.directoryExists {
            if explicit { logger.warning("commands.d: \(report.directory) does not exist; no commands from files") }
            else { logger.info("commands.d: \(report.directory) does not exist; no commands from files") }
            return
        }
        for problem in report.problems { logger.error("commands.d: skipped \(problem)") }
        for warning in report.warnings { logger.warning("commands.d: \(warning)") }
        let nodes = report.definitions.map(\.node).joined(separator: ", ")
        logger.info("commands.d: \(report.definitions.count) commands from \(report.directory)\(nodes.isEmpty ? "" : ": \(nodes)")")
        if !changes.isEmpty { logger.notice("commands.d: \(changes.summary)") }
    }

    public var definitions: [CommandDefinition] { loaded.withLock { $0.definitions } }

    /// What the last load found: the definitions, and the files it skipped.
    public var report: LoadReport { loaded.withLock { $0 } }
}
