import AdhocdKit
import DBus
import DBusBridge
import ArgumentParser
import Logging
#if canImport(Glibc)
import Glibc
#endif

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
        subcommands: [Run.self, CheckConfig.self, DBusTools.self])
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

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
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

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a configuration file and exit.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let configuration = try options.load()
        for warning in configuration.warnings { printError("warning: \(warning)") }
        let enabled = DaemonConfiguration.builtinNames.filter { configuration.builtins[$0]?.enabled == true }
        let monitor = configuration.monitor.map { "every \($0.interval)" } ?? "off"
        print("\(configuration.file): OK (account \(configuration.client.account), commands: \(enabled.joined(separator: ", ")), health monitor: \(monitor))")
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

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        // write(2) on descriptor 2: no shared C FILE state, no Foundation.
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
