import ArgumentParser
import DBus
import DBusBridge
import Logging

extension DBusTools {
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
