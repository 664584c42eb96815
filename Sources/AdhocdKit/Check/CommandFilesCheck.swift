import CommandFiles

extension ConfigurationCheck.Source {
    /// The definitions in commands.d, read exactly as the daemon reads them: each file it would
    /// skip is an error (the daemon still starts, without that command), with line and fix.
    public static let commandFiles = Self(name: "commands.d") { configuration, _ in
        let report = configuration.commandDirectory.load()
        guard report.directoryExists else { return [] }
        return report.problems.map { problem in
            ConfigurationProblem(
                severity: .error, file: problem.file, line: problem.line,
                problem: problem.key.map { "\($0): \(problem.problem)" } ?? problem.problem)
        } + report.warnings.map { ConfigurationProblem(severity: .warning, file: report.directory, problem: $0) }
    }
}
