import ArgumentParser

/// The name `check` had before; kept so existing units and scripts go on working.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Same as check.", shouldDisplay: false)

    @OptionGroup var options: ConfigOptions

    func run() throws {
        try Check.check(options.config)
    }
}
