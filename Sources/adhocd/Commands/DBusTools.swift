import ArgumentParser

struct DBusTools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbus", abstract: "Look at D-Bus services before exposing them.", subcommands: [Introspect.self])
}
