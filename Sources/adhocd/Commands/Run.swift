import AdhocdKit
import ArgumentParser
import Logging

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
        // "event-loop": jobs run on the loop's thread (`EventLoopRuntime`); "thread-pool": the
        // runtime refused the hook and every request pays thread hops.
        let executor = EventLoopRuntime.isInstalled ? "event-loop" : "thread-pool"
        logger.info("starting", metadata: [
            "version": "\(AdhocdVersion.current)", "config": "\(configuration.file)", "executor": "\(executor)",
        ])
        if !EventLoopRuntime.isInstalled {
            logger.warning("Swift concurrency could not be moved onto the event loop: requests pay a thread hop each way")
        }
        try await Daemon(configuration: configuration, logger: logger).run()
        logger.info("stopped")
    }
}

extension LogFormat: ExpressibleByArgument {}
