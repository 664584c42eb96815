import TOMLConfig
import Testing
@testable import DBusBridge

/// The nodes of introspected commands, written by the builder and read back by `adhocd check`.
@Suite struct DBusCommandNodeTests {
    static let player = "org.mpris.MediaPlayer2.Player"

    @Test func readsBackEachKindOfNode() throws {
        let base = "dbus/org.mpris.MediaPlayer2.mpv/org/mpris/MediaPlayer2/\(Self.player)"
        let method = try #require(DBusCommandNode(parsing: "\(base).PlayPause"))
        #expect(method == DBusCommandNode(service: "org.mpris.MediaPlayer2.mpv", path: "/org/mpris/MediaPlayer2", interface: Self.player, member: .method("PlayPause")))
        #expect(DBusCommandNode(parsing: "\(base)/properties")?.member == .properties)
        #expect(DBusCommandNode(parsing: "\(base).Volume/set")?.member == .setProperty("Volume"))
        #expect(DBusCommandNode(parsing: "\(base).Volume/set")?.interface == Self.player)
        // The root object is left out of the node.
        let root = try #require(DBusCommandNode(parsing: "dbus/org.example.Clock/org.example.Clock.Now"))
        #expect(root.path == "/" && root.service == "org.example.Clock" && root.interface == "org.example.Clock")
        #expect(root.description == "dbus/org.example.Clock/org.example.Clock.Now")
    }

    @Test func whatNoBlockCouldMakeIsNoNode() {
        for text in [
            "status", "mpris/remote", "systemd/nginx.service/restart", "dbus/org.example.Clock", "dbus//org.example.Clock.Now",
            "dbus/org.example.Clock/Now", "dbus/org.example.Clock/org.example.Clock.", "dbus/org.example.Clock/properties",
            "dbus/org.example.Clock/set", "dbus/org.example.Clock/org.example.Clock.Now/", "dbus",
        ] {
            #expect(DBusCommandNode(parsing: text) == nil, "\(text)")
        }
    }

    /// Every node the builder makes reads back to itself, and the block that made it may offer it.
    @Test func theBuildersNodesReadBackAndTheirBlockMayOfferThem() throws {
        let block = try CommandBuilderTests().block("""
        service = "org.mpris.MediaPlayer2.*"
        interfaces = ["org.mpris.MediaPlayer2.Player"]
        methods = ["Play*", "Seek"]
        properties = ["Volume", "PlaybackStatus"]
        """)
        let builder = CommandBuilder(block: block, handle: BusHandle(bus: .session))
        let commands = builder.commands(
            for: "org.mpris.MediaPlayer2.mpv",
            objects: [("/org/mpris/MediaPlayer2", try CommandBuilderTests.mprisNode()), ("/", try CommandBuilderTests.mprisNode())])
        #expect(commands.count == 10)
        for command in commands {
            let node = try #require(DBusCommandNode(parsing: command.node))
            #expect(node.description == command.node)
            #expect(block.mayOffer(node), "\(command.node)")
        }
    }

    @Test func aBlockMayOfferOnlyWhatItsListsLetThrough() throws {
        let block = try CommandBuilderTests().block("""
        service = "org.example.Player*"
        paths = ["/org/example/Player"]
        interfaces = ["org.example.Player"]
        methods = ["Play*"]
        properties = ["Volume"]
        """)
        func offers(_ text: String) -> Bool { DBusCommandNode(parsing: text).map(block.mayOffer) ?? false }
        let base = "dbus/org.example.Player2/org/example/Player/org.example.Player"
        #expect(offers("\(base).PlayPause"))
        #expect(offers("\(base)/properties"))
        #expect(offers("\(base).Volume/set"))
        #expect(!offers("\(base).Stop"), "a method the block leaves out")
        #expect(!offers("\(base).Rate/set"), "a property the block leaves out")
        #expect(!offers("dbus/org.other.Player/org/example/Player/org.example.Player.PlayPause"), "another service")
        #expect(!offers("dbus/org.example.Player2/org.example.Player.PlayPause"), "an object the block does not name")
        #expect(!offers("dbus/org.example.Player2/org/example/Player/org.example.Other.PlayPause"), "another interface")
        #expect(!offers("dbus/org.example.Player2/org/example/Player/org.freedesktop.DBus.Properties.Get"), "plumbing")

        let signalsOnly = try CommandBuilderTests().block("service = \"org.example.Player\"\nsignals = [\"org.example.Player.*\"]\nnotify = [\"jid:a@example.org\"]\nallow = [\"jid:a@example.org\"]")
        #expect(!signalsOnly.mayOffer(try #require(DBusCommandNode(parsing: "dbus/org.example.Player/org.example.Player.Play"))))
        #expect(!signalsOnly.mayOffer(try #require(DBusCommandNode(parsing: "dbus/org.example.Player/org.example.Player/properties"))))

        let mpris = try CommandBuilderTests().block("preset = \"mpris\"")
        #expect(!mpris.mayOffer(try #require(DBusCommandNode(parsing: "dbus/org.mpris.MediaPlayer2.mpv/org.mpris.MediaPlayer2.Player.Play"))))
    }
}
