import Commands
import CommandFiles
import DBusBridge
import XMPPCore

/// `adhocd commands`: the commands a configuration offers, built offline (no XMPP, no bus),
/// and which of them a given contact may run.
public struct CommandListing: Sendable {
    public struct Entry: Sendable, Equatable {
        /// Nil for plain `[[dbus]]` blocks, whose nodes come from introspecting the live service.
        public var node: String?
        public var name: String
        /// Where the command comes from: `built-in`, `D-Bus systemd (system bus)`…
        public var source: String
        public var policy: AccessPolicy
    }

    /// The full JID clients send commands to.
    public let bot: JID
    public let file: String
    public let entries: [Entry]

    public init(configuration: DaemonConfiguration) {
        file = configuration.file
        let account = configuration.client.account
        bot = (try? account.withResource(configuration.client.resource)) ?? account
        let builtins = BuiltinCommandSet.inert.commands(for: configuration).map {
            Entry(node: $0.node, name: $0.name, source: "built-in", policy: $0.policy)
        }
        let dbus = DBusBridge.plannedCommands(for: configuration.dbus).map { planned in
            let block = configuration.dbus[planned.blockIndex]
            return Entry(node: planned.node, name: planned.name, source: Self.source(of: block), policy: planned.policy)
        }
        // The definitions the daemon would load; files it would skip are `adhocd check`'s business.
        let files = configuration.commandDirectory.load().definitions.map {
            Entry(node: $0.node, name: $0.name, source: "commands.d (\(Self.fileName($0.file)))", policy: $0.policy)
        }
        entries = builtins + dbus + files
    }

    private static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func source(of block: DBusBlock) -> String {
        switch block.preset {
        case .systemd: "D-Bus systemd (\(block.bus))"
        case .mpris: "D-Bus MPRIS (\(block.bus), while a player runs)"
        case .none: "D-Bus \(block.service) (\(block.bus), live)"
        }
    }

    /// The link that opens `entry` in a client, when its node is known offline.
    public func link(for entry: Entry) -> String? {
        entry.node.map { XMPPURI.command(node: $0, at: bot) }
    }

    /// Whether `requester`, in `groups` of the bot's roster, may list and run `entry`.
    public func permits(_ entry: Entry, requester: JID, groups: Set<String>) -> Bool {
        entry.policy.permits(requester, account: bot.bare, directory: StaticGroupDirectory([requester.bare: groups]))
    }

    /// The table; with a requester, an `ALLOWED` column says what they may run.
    public func render(requester: JID? = nil, groups: Set<String> = []) -> String {
        var header = ["NODE", "NAME", "SOURCE", "RULES"]
        if requester != nil { header.append("ALLOWED") }
        header.append("LINK")
        var table = TextTable(header: header)
        for entry in entries {
            var row = [entry.node ?? "(live)*", entry.name, entry.source, entry.policy.description]
            if let requester { row.append(permits(entry, requester: requester, groups: groups) ? "yes" : "no") }
            row.append(link(for: entry) ?? "-")
            table.rows.append(row)
        }
        var text = "Commands of \(bot) from \(file)"
        if let requester {
            let groupText = groups.isEmpty ? "in no roster group" : "in roster groups \(groups.sorted().joined(separator: ", "))"
            let count = entries.filter { permits($0, requester: requester, groups: groups) }.count
            text += ", as \(requester) \(groupText): may run \(count) of \(entries.count)"
        }
        text += "\n\n" + table.render()
        if entries.contains(where: { $0.node == nil }) {
            text += "\n* Nodes of D-Bus methods and properties come from the live service; preview them with\n"
            text += "  adhocd dbus introspect --bus BUS SERVICE\n"
        }
        return text
    }
}
