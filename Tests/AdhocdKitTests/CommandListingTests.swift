import TestSupport
import Testing
import XMPPCore
@testable import AdhocdKit

/// `adhocd commands`: the offline command list, rules applied to a contact, and links.
@Suite struct CommandListingTests {
    static let configuration = """
    [account]
    jid = "bot@example.org"
    password = "secret"
    resource = "living room"

    [commands.status]
    allow = ["self", "group:admins", "jid:carol@example.net"]

    [commands.set-presence]
    allow = ["group:admins"]
    deny = ["jid:mallory@example.net"]

    [commands.reload]
    enabled = false

    [[dbus]]
    preset = "mpris"
    allow = ["group:coloc"]

    [[dbus]]
    preset = "systemd"
    units = ["nginx.service"]
    allow = ["group:admins"]

    [[dbus]]
    service = "org.example.Thing"
    methods = ["Frob*"]

    [commands_d]
    directory = "/nonexistent/adhocd-listing-test"
    """

    func listing() throws -> CommandListing {
        CommandListing(configuration: try DaemonConfiguration.parse(Self.configuration, file: "adhocd.toml"))
    }

    func allowed(_ jid: String, groups: Set<String> = []) throws -> [String] {
        let listing = try listing()
        let requester = try JID(jid)
        return listing.entries.filter { listing.permits($0, requester: requester, groups: groups) }.map { $0.node ?? "(live)" }
    }

    @Test func listsBuiltinsAndDBusBlocks() throws {
        let listing = try listing()
        #expect(listing.bot.description == "bot@example.org/living room")
        #expect(listing.entries.map { $0.node ?? "(live)" } == [
            "status", "set-presence", "mpris/remote",
            "systemd/nginx.service/status", "systemd/nginx.service/start", "systemd/nginx.service/stop", "systemd/nginx.service/restart",
            "(live)",
        ])
        #expect(listing.entries.map(\.source) == ["built-in", "built-in", "D-Bus MPRIS (session bus, while a player runs)"]
            + Array(repeating: "D-Bus systemd (system bus)", count: 4) + ["D-Bus org.example.Thing (session bus, live)"])
        #expect(listing.entries[1].policy.description == "allow group:admins; deny jid:mallory@example.net")
    }

    @Test func appliesTheRulesToAContact() throws {
        // The bot's own account from another resource: `self`.
        #expect(try allowed("bot@example.org/phone") == ["status", "(live)"])
        // Default deny: a stranger in no group runs nothing.
        #expect(try allowed("eve@example.net").isEmpty)
        #expect(try allowed("carol@example.net/laptop") == ["status"])
        #expect(try allowed("alice@example.org", groups: ["coloc"]) == ["mpris/remote"])
        #expect(try allowed("alice@example.org", groups: ["admins", "coloc"]) == [
            "status", "set-presence", "mpris/remote",
            "systemd/nginx.service/status", "systemd/nginx.service/start", "systemd/nginx.service/stop", "systemd/nginx.service/restart",
        ])
        // Deny wins over the group.
        #expect(try allowed("mallory@example.net", groups: ["admins"]).contains("set-presence") == false)
    }

    @Test func rendersATableWithLinks() throws {
        let text = try listing().render(requester: try JID("alice@example.org"), groups: ["coloc"])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Commands of bot@example.org/living room from adhocd.toml, as alice@example.org in roster groups coloc: may run 1 of 8")
        #expect(lines[2].hasPrefix("NODE "))
        #expect(lines[2].contains(" ALLOWED ") && lines[2].hasSuffix(" LINK"))
        let remote = try #require(lines.first { $0.hasPrefix("mpris/remote ") })
        #expect(remote.contains(" yes "))
        #expect(remote.hasSuffix(" xmpp:bot@example.org/living%20room?command;node=mpris%2Fremote"))
        let status = try #require(lines.first { $0.hasPrefix("status ") })
        #expect(status.contains(" no "))
        #expect(text.contains("adhocd dbus introspect"))
        #expect(try listing().render().contains("ALLOWED") == false)
    }

    @Test func listsTheDefinitionsInCommandsD() throws {
        let text = """
        [account]
        jid = "bot@example.org"
        password = "secret"

        [commands_d]
        directory = "\(Prerequisites.repositoryRoot)/commands.d"
        """
        let listing = CommandListing(configuration: try DaemonConfiguration.parse(text, file: "adhocd.toml"))
        let files = listing.entries.filter { $0.source.hasPrefix("commands.d") }
        #expect(files.map(\.node) == ["disk-usage", "journal", "reboot", "restart-service", "uptime"])
        #expect(files.first { $0.node == "reboot" }?.source == "commands.d (reboot.toml)")
        #expect(listing.permits(try #require(files.first { $0.node == "reboot" }), requester: try JID("alice@example.org"), groups: ["admins"]))
        #expect(!listing.permits(try #require(files.first { $0.node == "reboot" }), requester: try JID("alice@example.org"), groups: ["coloc"]))
    }
}
