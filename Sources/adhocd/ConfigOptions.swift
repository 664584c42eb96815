import AdhocdKit
import ArgumentParser

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
