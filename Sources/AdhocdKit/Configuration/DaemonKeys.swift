import Chat
import CommandFiles
import Commands
import DBusBridge
import HealthMonitor
import TOMLConfig
import XMPPClient
import XMPPCore

/// The keys of adhocd.toml's own tables, declared once: `DaemonConfiguration` reads them,
/// `adhocd check` suggests their names, `make docs` writes the reference from them. The other
/// tables are declared beside their readers (`MonitorKeys`, `DBusBlockKeys`, `CommandFilesKeys`).
enum AccountKeys {
    static let jid = ConfigKey.required("jid", .string, "The bot's bare JID, `bot@example.org`.")
    static let passwordFile = ConfigKey(
        "password_file", .string,
        "File whose first line is the password (one trailing newline is ignored). Keep it `chmod 600`; adhocd warns when others can read it.")
    static let password = ConfigKey(
        "password", .string,
        "The password inline; use instead of `password_file` only where the config file itself is private. One of the two is required.")
    static let resource = ConfigKey(
        "resource", .string, default: "adhocd",
        "Resource to bind. If the server assigns another, that one is used. Clients reach commands at `jid/resource`.")
    static let host = ConfigKey(
        "host", .string, documented: "none (DNS SRV)",
        "Connect here instead of looking up `_xmpps-client._tcp` / `_xmpp-client._tcp` SRV records (then the domain on 5222).")
    static let port = ConfigKey(
        "port", .integer(1...65535), documented: "5222 (5223 with `tls = \"direct\"`)", "Port for `host`.")
    static let tls = ConfigKey(
        "tls", .choice(TLSMode.self), default: .startTLS,
        "`starttls`: plain TCP upgraded with STARTTLS, which the server must offer. `direct`: TLS from the first byte (XEP-0368). `none`: no encryption, accepted only when `host` is a loopback address.")
    static let caFile = ConfigKey(
        "ca_file", .string,
        "Extra PEM CA certificate(s) trusted besides the system store (a private CA, a test server). Certificates are always verified against the domain.")

    static let table = ConfigTable("[account]", keys: [jid, passwordFile, password, resource, host, port, tls, caFile])
}

enum PresenceKeys {
    static let show = ConfigKey(
        "show", .choice(Presence.Show.self), default: .online, "The bot's availability. With `[monitor]` enabled, only until the first check.")
    static let status = ConfigKey("status", .string, "Status message. With `[monitor]` enabled, only until the first check.")
    static let priority = ConfigKey("priority", .integer(-128...127), default: 0, "The presence priority.")
    static let subscribers = ConfigKey(
        "subscribers", .strings, default: [],
        "Who may see the bot's presence besides everyone some command's rules admit: `jid:user@host`, `group:NAME`.")
    static let otherRequests = ConfigKey(
        "other_requests", .choice(SubscriptionSettings.OtherRequests.self), default: .decline,
        "A subscription request that neither a command rule nor `subscribers` admits: `decline` answers `unsubscribed` at once; `pending` leaves it for you to answer from another client. Both are logged.")

    static let table = ConfigTable("[presence]", keys: [show, status, priority, subscribers, otherRequests])
}

enum ConnectionKeys {
    static let keepaliveInterval = ConfigKey(
        "keepalive_interval", .seconds(1...3600), default: .seconds(60),
        "Seconds between keepalives to the server: an XEP-0198 ack request, or an XEP-0199 ping without stream management.")
    static let pingTimeout = ConfigKey(
        "ping_timeout", .seconds(1...600), default: .seconds(20),
        "A keepalive unanswered this long means the connection is dead: reconnect (and resume).")
    static let connectTimeout = ConfigKey("connect_timeout", .seconds(1...600), default: .seconds(15), "TCP connect timeout.")
    static let reconnectMaxDelay = ConfigKey(
        "reconnect_max_delay", .seconds(1...3600), default: Backoff().maximum,
        "Reconnect delays start at 1 s and double up to this, with jitter; a session that lasted 60 s resets them. A login the server refuses is retried after 5 minutes, doubling up to an hour.")
    static let streamManagement = ConfigKey(
        "stream_management", .boolean, default: true,
        "XEP-0198 where the server offers it: the server acknowledges what the bot sends, and after a lost connection the session resumes, so the answers of commands that ran meanwhile are delivered, and nothing runs twice ([architecture](architecture.md#the-client-session)).")

    static let table = ConfigTable("[connection]", keys: [keepaliveInterval, pingTimeout, connectTimeout, reconnectMaxDelay, streamManagement])
}

enum AdhocKeys {
    private static let defaults = SessionLimits()

    static let sessionTimeout = ConfigKey(
        "session_timeout", .seconds(1...86_400), default: defaults.defaultIdleTimeout,
        "Idle seconds after which an unfinished multi-stage command is dropped (`session-expired`).")
    static let maxSessionsPerAccount = ConfigKey(
        "max_sessions_per_account", .integer(1...1000), default: defaults.perAccount,
        "Open sessions per requesting account, all its resources together.")
    static let maxSessions = ConfigKey("max_sessions", .integer(1...100_000), default: defaults.total, "Open sessions in all.")

    static let table = ConfigTable("[adhoc]", keys: [sessionTimeout, maxSessionsPerAccount, maxSessions])
}

/// `[commands.NAME]`, one table per built-in command.
enum BuiltinKeys {
    static let enabled = ConfigKey("enabled", .boolean, documented: "`true` (`echo`: `false`)", "Offer the command at all.")
    static let allow = ConfigKey("allow", .strings, default: [], documented: "`[\"self\"]`", "Who may list and run it.")
    static let deny = ConfigKey("deny", .strings, default: [], "Who may not, whatever `allow` says.")

    static let table = ConfigTable("[commands.NAME]", keys: [enabled, allow, deny])
}

/// The tables of adhocd.toml.
enum RootKeys {
    static let account = ConfigKey("account", .table(AccountKeys.table), documented: "required", "The bot's XMPP account and how to reach its server.")
    static let presence = ConfigKey("presence", .table(PresenceKeys.table), "The bot's presence, and who may see it.")
    static let connection = ConfigKey("connection", .table(ConnectionKeys.table), "Keepalives, timeouts and reconnects.")
    static let adhoc = ConfigKey("adhoc", .table(AdhocKeys.table), "Limits of ad-hoc command sessions.")
    static let commands = ConfigKey(
        "commands", .table(nil), "One table per built-in command (`[commands.status]`…): whether it is offered and to whom.")
    static let monitor = ConfigKey("monitor", .table(MonitorKeys.table), "The machine's health as the bot's presence; off without this table.")
    static let dbus = ConfigKey(
        "dbus", .tables(DBusBlockKeys.table), default: [], documented: "none",
        "D-Bus services as commands, and their signals as messages: one `[[dbus]]` block each.")
    static let commandFiles = ConfigKey(
        "commands_d", .table(CommandFilesKeys.table), "Commands defined by files: where they are, the audit log, run limits.")

    static let chat = ConfigKey("chat", .table(ChatKeys.table), "The same commands typed as plain chat messages ([chat.md](chat.md)).")

    static let fleet = ConfigKey("fleet", .table(FleetKeys.table), "The multi-user chat room where many bots meet ([fleet.md](fleet.md)); none without this table.")

    static let table = ConfigTable("top level", keys: [account, presence, connection, adhoc, commands, monitor, dbus, commandFiles, chat, fleet])
}
