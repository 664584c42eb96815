import Chat
import Commands
import CommandFiles
import DBusBridge
import Fleet
import HealthMonitor
import HostMetrics
import TOMLConfig
import XMPPClient
import XMPPCore
#if canImport(Glibc)
import Glibc
#endif

/// The whole daemon configuration, read from one TOML file.
public struct DaemonConfiguration: Sendable {
    public var file: String
    public var client: ClientConfiguration
    public var sessionLimits: SessionLimits
    /// Settings of each built-in command, by node.
    public var builtins: [String: BuiltinSettings]
    /// `[[dbus]]` blocks: D-Bus services exposed as commands.
    public var dbus: [DBusBlock] = []
    /// `[commands_d]`: where command definition files live, the audit log, run limits.
    public var commandFiles: CommandFilesSettings
    /// `[presence] subscribers` and `other_requests`.
    public var subscriptions = SubscriptionSettings()
    /// `[monitor]`; nil when there is no such section or it is disabled.
    public var monitor: MonitorSettings?
    /// `[chat]`: commands typed as plain messages.
    public var chat = ChatSettings()
    /// `[fleet]`: the room where many bots meet; nil without the section.
    public var fleet: FleetSettings?
    /// Things worth a log line that are not errors (a world-readable password file).
    public var warnings: [String]

    public struct BuiltinSettings: Sendable, Equatable {
        public var enabled: Bool
        public var policy: AccessPolicy

        public init(enabled: Bool = true, policy: AccessPolicy = .ownAccountOnly) {
            self.enabled = enabled
            self.policy = policy
        }
    }

    /// The built-in commands a `[commands.NAME]` section may configure.
    public static let builtinNames = ["status", "set-presence", "reload", "echo"]

    /// Built-ins that stay off unless a section enables them.
    static let disabledByDefault: Set<String> = ["echo"]

    /// Reads and checks the file; every error names the file and key.
    public static func load(from file: String) throws(ConfigurationError) -> DaemonConfiguration {
        guard let text = readTextFile(file) else {
            throw .unreadable(file: file, reason: systemError())
        }
        return try parse(text, file: file)
    }

    static func parse(_ text: String, file: String) throws(ConfigurationError) -> DaemonConfiguration {
        var root = ConfigSection(file: file, path: "", values: try ConfigValue.parseTOML(text, file: file))
        var warnings: [String] = []

        guard var account = try root.section("account") else {
            throw .invalid(file: file, key: "account", problem: "the [account] table is required")
        }
        var client = try readAccount(&account, warnings: &warnings)
        try account.rejectUnknownKeys()

        var subscriptions = SubscriptionSettings()
        if var presence = try root.section("presence") {
            client.presence = try readPresence(&presence)
            subscriptions = try SubscriptionSettings.read(&presence)
            try presence.rejectUnknownKeys()
        }
        if var connection = try root.section("connection") {
            try readConnection(&connection, into: &client)
            try connection.rejectUnknownKeys()
        }

        var limits = SessionLimits()
        if var adhoc = try root.section("adhoc") {
            if let timeout = try adhoc.seconds("session_timeout", in: 1...86_400) { limits.defaultIdleTimeout = timeout }
            if let perAccount = try adhoc.integer("max_sessions_per_account", in: 1...1000) { limits.perAccount = perAccount }
            if let total = try adhoc.integer("max_sessions", in: 1...100_000) { limits.total = total }
            try adhoc.rejectUnknownKeys()
        }

        var builtins = Dictionary(uniqueKeysWithValues: builtinNames.map {
            ($0, BuiltinSettings(enabled: !disabledByDefault.contains($0)))
        })
        if var commands = try root.section("commands") {
            for name in commands.values.keys.sorted() {
                guard builtinNames.contains(name) else {
                    throw commands.error(name, "no built-in command of that name (known: \(builtinNames.joined(separator: ", ")))")
                }
                guard var section = try commands.section(name) else { continue }
                builtins[name] = try readBuiltin(&section, enabledByDefault: !disabledByDefault.contains(name))
                try section.rejectUnknownKeys()
            }
        }
        let dbus = try readDBusBlocks(&root)
        var commandFiles = CommandFilesSettings(configurationFile: file)
        if var section = try root.section("commands_d") {
            commandFiles = try CommandFilesSettings.read(&section, configurationFile: file)
            try section.rejectUnknownKeys()
        }
        var monitor: MonitorSettings?
        if var section = try root.section("monitor") {
            monitor = try MonitorSettings.read(&section)
            try section.rejectUnknownKeys()
        }
        var chat = ChatSettings()
        if var section = try root.section("chat") {
            chat = try ChatSettings.read(&section)
            try section.rejectUnknownKeys()
        }
        var fleet: FleetSettings?
        if var section = try root.section("fleet") {
            fleet = try readFleet(&section, warnings: &warnings)
            try section.rejectUnknownKeys()
        }
        try root.rejectUnknownKeys()
        var configuration = DaemonConfiguration(
            file: file, client: client, sessionLimits: limits, builtins: builtins, commandFiles: commandFiles, warnings: warnings)
        configuration.dbus = dbus
        configuration.subscriptions = subscriptions
        configuration.monitor = monitor
        configuration.chat = chat
        configuration.fleet = fleet
        return configuration
    }

    // MARK: Sections

    /// `[[dbus]]`: an array of tables, each read by DBusBlock.
    private static func readDBusBlocks(_ root: inout ConfigSection) throws(ConfigurationError) -> [DBusBlock] {
        var blocks: [DBusBlock] = []
        for var section in try root.tables("dbus") {
            blocks.append(try DBusBlock.read(&section))
            try section.rejectUnknownKeys()
        }
        return blocks
    }

    private static func readAccount(_ section: inout ConfigSection, warnings: inout [String]) throws(ConfigurationError) -> ClientConfiguration {
        let jidText = try section.requiredString("jid")
        let jid: JID
        do {
            jid = try JID(jidText)
        } catch {
            throw section.error("jid", "'\(jidText)' is not a valid JID: \(error)")
        }
        guard jid.localpart != nil else { throw section.error("jid", "needs a user part (user@host)") }
        guard jid.isBare else { throw section.error("jid", "must not name a resource; set account.resource instead") }

        let password = try readPassword(&section, warnings: &warnings)
        let resource = try section.string("resource") ?? "adhocd"
        do {
            _ = try jid.withResource(resource)
        } catch {
            throw section.error("resource", "is not a valid resource: \(error)")
        }
        let host = try section.string("host")
        if let host, host.isEmpty { throw section.error("host", "is empty; leave it out to use DNS SRV") }
        let port = try section.integer("port", in: 1...65535)
        let tlsText = try section.string("tls") ?? TLSMode.startTLS.rawValue
        guard let tls = TLSMode(rawValue: tlsText) else {
            throw section.error("tls", "must be one of \(TLSMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), found \"\(tlsText)\"")
        }
        if tls == .plaintext, !isLoopback(host) {
            throw section.error("tls", "\"none\" (no encryption) is allowed only with a loopback host such as 127.0.0.1")
        }
        let caFile = try section.string("ca_file")
        let tlsSettings = TLSSettings(caFile: caFile)
        if caFile != nil {
            do {
                try tlsSettings.validate()
            } catch {
                throw section.error("ca_file", "cannot be used: \(error)")
            }
        }
        return ClientConfiguration(
            account: jid, password: password, resource: resource, host: host, port: port, tls: tls, tlsSettings: tlsSettings,
            softwareVersion: AdhocdVersion.current)
    }

    private static func readPassword(_ section: inout ConfigSection, warnings: inout [String]) throws(ConfigurationError) -> Secret {
        let inline = try section.string("password")
        let passwordFile = try section.string("password_file")
        switch (inline, passwordFile) {
        case (.some, .some):
            throw section.error("password", "give either password or password_file, not both")
        case (nil, nil):
            throw section.error("password_file", "is required (or account.password)")
        case (let password?, nil):
            guard !password.isEmpty else { throw section.error("password", "is empty") }
            if isReadableByOthers(section.file) {
                warnings.append("\(section.file) holds the account password and is readable by other users; use password_file or chmod 600")
            }
            return Secret(password)
        case (nil, let path?):
            return try readSecretFile(path, key: "password_file", in: section, what: "the account password", warnings: &warnings)
        }
    }

    /// A password kept in a file of its own; a warning when other users can read it.
    static func readSecretFile(
        _ path: String, key: String, in section: ConfigSection, what: String, warnings: inout [String]
    ) throws(ConfigurationError) -> Secret {
        guard let contents = readTextFile(path) else {
            throw section.error(key, "cannot read \(path): \(systemError())")
        }
        // One trailing newline is what editors and `echo` leave; it is not part of the password.
        var password = Substring(contents)
        if password.hasSuffix("\n") { password = password.dropLast() }
        if password.hasSuffix("\r") { password = password.dropLast() }
        guard !password.isEmpty else { throw section.error(key, "\(path) is empty") }
        if isReadableByOthers(path) {
            warnings.append("\(path) (\(what)) is readable by other users; chmod 600 it")
        }
        return Secret(String(password))
    }

    private static func readPresence(_ section: inout ConfigSection) throws(ConfigurationError) -> PresenceSettings {
        var settings = PresenceSettings()
        if let showText = try section.string("show") {
            guard let show = Presence.Show(rawValue: showText) else {
                throw section.error("show", "must be one of \(Presence.Show.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(showText)\"")
            }
            settings.show = show
        }
        settings.status = try section.string("status")
        settings.priority = try section.integer("priority", in: -128...127) ?? 0
        return settings
    }

    private static func readConnection(_ section: inout ConfigSection, into client: inout ClientConfiguration) throws(ConfigurationError) {
        if let interval = try section.seconds("keepalive_interval", in: 1...3600) { client.keepaliveInterval = interval }
        if let timeout = try section.seconds("ping_timeout", in: 1...600) { client.pingTimeout = timeout }
        if let timeout = try section.seconds("connect_timeout", in: 1...600) { client.connectTimeout = timeout }
        if let maximum = try section.seconds("reconnect_max_delay", in: 1...3600) { client.backoff.maximum = maximum }
        if let enabled = try section.bool("stream_management") { client.streamManagement = enabled }
    }

    private static func readBuiltin(_ section: inout ConfigSection, enabledByDefault: Bool) throws(ConfigurationError) -> BuiltinSettings {
        let enabled = try section.bool("enabled") ?? enabledByDefault
        let allow = try section.stringList("allow") ?? []
        let deny = try section.stringList("deny") ?? []
        do {
            return BuiltinSettings(enabled: enabled, policy: try AccessPolicy(allow: allow, deny: deny))
        } catch {
            throw section.error(allow.contains(where: { (try? AccessRule(parsing: $0)) == nil }) ? "allow" : "deny", error.description)
        }
    }

    // MARK: Helpers

    static func isLoopback(_ host: String?) -> Bool {
        guard let host else { return false }
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Every group any rule or alert names, for the "unknown group" warning.
    public var groupNames: Set<String> {
        builtins.values.filter(\.enabled).reduce(into: Set<String>()) { $0.formUnion($1.policy.groupNames) }
            .union(dbus.flatMap { $0.policy.groupNames.union($0.events.groupNames) })
            .union(subscriptions.subscribers.groupNames)
            .union(monitor?.groupNames ?? [])
            .union(AccessPolicy(allow: chat.allow ?? [], deny: chat.deny).groupNames)
    }
}

func systemError() -> String {
    String(cString: strerror(errno))
}

func isReadableByOthers(_ path: String) -> Bool {
    var status = stat()
    guard stat(path, &status) == 0 else { return false }
    return status.st_mode & S_IROTH != 0
}
