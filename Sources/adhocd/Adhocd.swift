import AdhocdKit
import ArgumentParser

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
        subcommands: [Run.self, Check.self, CheckConfig.self, Commands.self, DBusTools.self, Reference.self])
}

func printError(_ text: String) {
    var standardError = StandardError()
    print(text, to: &standardError)
}
