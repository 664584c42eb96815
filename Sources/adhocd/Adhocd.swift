import AdhocdKit
import CommandFiles
import DBus
import DBusBridge
import ArgumentParser
import Logging
import XMPPCore

@main
enum Main {
    static func main() async {
        EventLoopRuntime.install()
        await Adhocd.main()
    }
}

struct Adhocd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adhocd",
        abstract: "Control this machine from any XMPP client: ad-hoc commands, allowed by roster groups.",
        version: AdhocdVersion.current,
        subcommands: [Run.self, Check.self, CheckConfig.self, Commands.self, DBusTools.self])
}

struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The TOML configuration file.")
    var config: String = "/etc/adhocd/adhocd.toml"

    func load() throws -> DaemonConfiguration {
        do {
            return try DaemonConfiguration.load(from: config)
        } catch {
            printError("adhocd: \(error)")
            throw ExitCode(78)  // EX_CONFIG
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Connect and serve commands until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "auto (journald under systemd, else plain), journald (<N> priority prefixes, no timestamps) or plain.")
    var logFormat: LogFormat = .auto

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = logFormat.resolved()
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
        let configuration = try options.load()
        let logger = Logger(label: "adhocd")
        logger.info("starting", metadata: ["version": "\(AdhocdVersion.current)", "config": "\(configuration.file)"])
        try await Daemon(configuration: configuration, logger: logger).run()
        logger.info("stopped")
    }
}

extension LogFormat: ExpressibleByArgument {}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration and every command definition, without connecting.",
        discussion: """
        Prints each problem as FILE:LINE: problem — fix, then a summary. Exits 0 when all is \
        well (warnings allowed); 1 when adhocd would start but skip some files in commands.d \
        (it loads the others); 78 (EX_CONFIG) when it would not start with the configuration.
        """)

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Check the configuration file only, not commands.d (for ExecStartPre: a broken definition must not stop the service).")
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

/// The name `check` had before; kept so existing units and scripts go on working.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Same as check.", shouldDisplay: false)

    @OptionGroup var options: ConfigOptions

    func run() throws {
        try Check.check(options.config)
    }
}

struct Commands: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the commands the configuration offers, who may run them, and a link to each.",
        discussion: """
        Built offline from the configuration: no XMPP connection, no D-Bus. With --as, the \
        ALLOWED column applies each command's rules to that contact, in the roster groups \
        --groups names. The links (xmpp:BOT?command;node=NODE) open a command in clients that \
        support them, such as Cheogram.
        """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("as"), help: ArgumentHelp("Say which commands this contact may run.", valueName: "jid"))
    var requester: String?

    @Option(help: ArgumentHelp("With --as: the contact's roster groups, comma-separated.", valueName: "a,b"))
    var groups: String?

    func validate() throws {
        if groups != nil, requester == nil { throw ValidationError("--groups needs --as JID") }
        if let requester, (try? JID(requester)) == nil { throw ValidationError("--as: '\(requester)' is not a JID") }
    }

    func run() throws {
        let listing = CommandListing(configuration: try options.load())
        let contact = requester.flatMap { try? JID($0) }
        let groupNames = Set((groups ?? "").split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty })
        print(listing.render(requester: contact, groups: groupNames), terminator: "")
    }
}

struct DBusTools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbus", abstract: "Look at D-Bus services before exposing them.", subcommands: [Introspect.self])

    struct Introspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the commands and forms a [[dbus]] block would generate for SERVICE.")

        @Option(name: .long, help: "session, system, or a D-Bus address (unix:path=…).")
        var bus: String = "session"

        @Argument(help: "The bus name, e.g. org.mpris.MediaPlayer2.mpv.")
        var service: String

        @Argument(help: "One object path; without it the object tree is walked from /.")
        var path: String?

        func run() async throws {
            guard let address = DBusBusAddress(configValue: bus) else {
                throw ValidationError("--bus must be session, system or a D-Bus address")
            }
            do {
                print(try await DBusPreview.render(bus: address, service: service, path: path, logger: Logger(label: "adhocd")), terminator: "")
            } catch {
                printError("adhocd: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

func printError(_ text: String) {
    var standardError = StandardError()
    print(text, to: &standardError)
}
