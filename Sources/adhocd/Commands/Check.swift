import AdhocdKit
import ArgumentParser

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration and every command definition, without connecting.",
        discussion: """
        Prints each problem as FILE:LINE: problem — fix, then a summary. A chat alias naming \
        no command is a warning; one naming a node only a running D-Bus service can confirm is \
        a note. Exits 0 when all is well (warnings and notes allowed); 1 when adhocd would start \
        but skip some files in commands.d (it loads the others); 78 (EX_CONFIG) when it would \
        not start with the configuration.
        """)

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Check the configuration file only, not commands.d (for ExecStartPre: a broken definition must not stop the service). Its definitions are still read for the nodes chat aliases name.")
    var configOnly = false

    func run() throws {
        try Self.check(options.config, sources: configOnly ? ConfigurationCheck.configurationSources : ConfigurationCheck.standardSources)
    }

    static func check(_ file: String, sources: [ConfigurationCheck.Source] = ConfigurationCheck.standardSources) throws {
        let report = ConfigurationCheck(sources: sources).run(file: file)
        // As ExecStartPre, the problems reach the journal: give them their level there.
        let inJournal = LogFormat.auto.resolved() == .journald
        for problem in report.problems {
            printError((inJournal ? "<\(problem.syslogPriority)>" : "") + problem.description)
        }
        if report.preventsStart {
            printError((inJournal ? "<3>" : "") + report.summary)
            throw ExitCode(78)  // EX_CONFIG
        }
        print(report.summary)
        if report.hasErrors { throw ExitCode(1) }
    }
}
