import Commands
import BuiltinCommands
import DBusBridge
import HostMetrics
import TOMLConfig

/// `adhocd check`: everything that can be checked without connecting, as a list of problems.
///
/// The configuration file comes first; the reader stops at its first error, which is then the
/// only problem. When the file loads, each source looks at its part and adds what it finds.
/// Command definitions (`commands.d`) plug in as one more source.
public struct ConfigurationCheck: Sendable {
    /// One part of the configuration to look at once the file has loaded.
    public struct Source: Sendable {
        public var name: String
        /// `lines` locates keys of the main file, for problems that concern one of them.
        public var problems: @Sendable (_ configuration: DaemonConfiguration, _ lines: TOMLKeyLines) -> [ConfigurationProblem]

        public init(name: String, problems: @escaping @Sendable (DaemonConfiguration, TOMLKeyLines) -> [ConfigurationProblem]) {
            self.name = name
            self.problems = problems
        }
    }

    public var sources: [Source]

    public init(sources: [Source] = ConfigurationCheck.standardSources) {
        self.sources = sources
    }

    /// The problems of the configuration file alone (commands.d is read only for the nodes chat
    /// aliases may name; its files' problems are `commandFiles`'s).
    public static let configurationSources: [Source] = [.readerWarnings, .ruleConflicts, .busChoices, .notifyRecipients, .chatAliases]
    public static let standardSources: [Source] = configurationSources + [.commandFiles]

    public func run(file: String) -> ConfigurationReport {
        let lines = readTextFile(file).map { TOMLParser.keyLines(in: $0) } ?? TOMLKeyLines()
        do {
            let configuration = try DaemonConfiguration.load(from: file)
            return ConfigurationReport(file: file, configuration: configuration, problems: sources.flatMap { $0.problems(configuration, lines) })
        } catch {
            return ConfigurationReport(file: file, configuration: nil, problems: [ConfigurationProblem(error, lines: lines)])
        }
    }
}

extension ConfigurationCheck.Source {
    /// What the reader noticed without refusing the file (a password others can read).
    public static let readerWarnings = Self(name: "configuration file") { configuration, _ in
        configuration.warnings.map { ConfigurationProblem(severity: .warning, file: configuration.file, problem: $0) }
    }

    /// A rule in both lists of one command: deny wins, so it only ever takes rights away.
    public static let ruleConflicts = Self(name: "rules") { configuration, lines in
        var problems: [ConfigurationProblem] = []
        func check(_ policy: AccessPolicy, table: String) {
            for rule in policy.allow where policy.deny.contains(rule) {
                problems.append(ConfigurationProblem(
                    severity: .warning, file: configuration.file, line: lines.line(for: "\(table).deny"),
                    problem: "\(table): '\(rule)' is both allowed and denied, and deny wins",
                    fix: "remove it from one of the lists"))
            }
        }
        for name in DaemonConfiguration.builtinNames {
            guard let settings = configuration.builtins[name], settings.enabled else { continue }
            check(settings.policy, table: "commands.\(name)")
        }
        for (index, block) in configuration.dbus.enumerated() { check(block.policy, table: "dbus[\(index + 1)]") }
        return problems
    }

    /// Presets on the bus their services are not on: the commands would never appear.
    public static let busChoices = Self(name: "D-Bus blocks") { configuration, lines in
        configuration.dbus.enumerated().compactMap { index, block in
            let table = "dbus[\(index + 1)]"
            let problem: String
            let fix: String
            switch (block.preset, block.bus) {
            case (.systemd, .session):
                problem = "systemd's units are on the system bus, not the session bus"
                fix = "leave bus out: preset \"systemd\" uses the system bus"
            case (.mpris, .system):
                problem = "media players (MPRIS) are on a session bus, not the system bus"
                fix = "leave bus out, and run adhocd as the user whose players it drives (the user unit)"
            default:
                return nil
            }
            return ConfigurationProblem(
                severity: .warning, file: configuration.file, line: lines.line(for: "\(table).bus"), problem: "\(table): \(problem)", fix: fix)
        }
    }
}

/// What `adhocd check` found.
public struct ConfigurationReport: Sendable {
    public var file: String
    /// Nil when the file did not load.
    public var configuration: DaemonConfiguration?
    public var problems: [ConfigurationProblem]

    public var errors: [ConfigurationProblem] { problems.filter { $0.severity == .error } }
    public var warnings: [ConfigurationProblem] { problems.filter { $0.severity == .warning } }
    public var notes: [ConfigurationProblem] { problems.filter { $0.severity == .note } }
    public var hasErrors: Bool { configuration == nil || !errors.isEmpty }
    /// Errors that stop adhocd from starting: those of the configuration file itself. Errors in
    /// other files (commands.d) only cost the command that file defines.
    public var preventsStart: Bool { configuration == nil || errors.contains { $0.file == file } }

    /// One line: OK with what the file sets up, or how many errors.
    public var summary: String {
        let counts = [Self.count(errors.count, "error"), Self.count(warnings.count, "warning"), Self.count(notes.count, "note")].compactMap { $0 }
        guard let configuration, !preventsStart else {
            return "\(file): \(counts.joined(separator: ", ")); adhocd would not start with it"
        }
        let builtins = DaemonConfiguration.builtinNames.filter { configuration.builtins[$0]?.enabled == true }
        var parts = ["account \(configuration.client.account)", builtins.isEmpty ? "no built-in commands" : "commands: \(builtins.joined(separator: ", "))"]
        if let blocks = Self.count(configuration.dbus.count, "[[dbus]] block") { parts.append(blocks) }
        if let monitor = configuration.monitor { parts.append("health monitor every \(monitor.interval.components.seconds) s") }
        let groups = configuration.groupNames.sorted()
        if !groups.isEmpty { parts.append("roster groups named: \(groups.joined(separator: ", "))") }
        let skipped = Set(errors.map(\.file)).count
        if skipped > 0 { parts.append("\(skipped) file\(skipped == 1 ? "" : "s") in \(configuration.commandFiles.directory) would be skipped") }
        return "\(file): OK (\(parts.joined(separator: "; ")))" + (counts.isEmpty ? "" : ", \(counts.joined(separator: ", "))")
    }

    private static func count(_ number: Int, _ noun: String) -> String? {
        number == 0 ? nil : "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
