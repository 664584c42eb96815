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

    /// commands.d as the daemon reads it, for the offline tools (`check`, `commands`).
    var commandDirectory: CommandDirectory {
        CommandDirectory(
            path: commandFiles.directory, reader: DefinitionReader(isRoot: geteuid() == 0), reservedNodes: Set(Self.builtinNames))
    }

    /// Reads and checks the file; every error names the file and key.
    public static func load(from file: String) throws(ConfigurationError) -> DaemonConfiguration {
        guard let bytes = readFile(file) else {
            throw .unreadable(file: file, reason: systemError())
        }
        return try parse(ConfigValue.tomlText(utf8: bytes, file: file), file: file)
    }

    static func parse(_ text: String, file: String) throws(ConfigurationError) -> DaemonConfiguration {
        var root = ConfigSection(file: file, path: "", values: try ConfigValue.parseTOML(text, file: file), schema: RootKeys.table)
        var warnings: [String] = []

        guard var account = try root.read(RootKeys.account) else {
            throw .invalid(file: file, key: RootKeys.account.name, problem: "the [account] table is required")
        }
        var client = try readAccount(&account, warnings: &warnings)
        try account.rejectUnknownKeys()

        var subscriptions = SubscriptionSettings()
        if var presence = try root.read(RootKeys.presence) {
            client.presence = try readPresence(&presence)
            subscriptions = try SubscriptionSettings.read(&presence)
            try presence.rejectUnknownKeys()
        }
        if var connection = try root.read(RootKeys.connection) {
            try readConnection(&connection, into: &client)
            try connection.rejectUnknownKeys()
        }

        var limits = SessionLimits()
        if var adhoc = try root.read(RootKeys.adhoc) {
            limits.defaultIdleTimeout = try adhoc.read(AdhocKeys.sessionTimeout)
            limits.perAccount = try adhoc.read(AdhocKeys.maxSessionsPerAccount)
            limits.total = try adhoc.read(AdhocKeys.maxSessions)
            try adhoc.rejectUnknownKeys()
        }

        var builtins = Dictionary(uniqueKeysWithValues: builtinNames.map {
            ($0, BuiltinSettings(enabled: !disabledByDefault.contains($0)))
        })
        if var commands = try root.read(RootKeys.commands) {
            for name in commands.values.keys.sorted() {
                guard builtinNames.contains(name) else {
                    throw commands.error(name, "no built-in command of that name (known: \(builtinNames.joined(separator: ", ")))")
                }
                guard var section = try commands.read(name, as: .table(BuiltinKeys.table)) else { continue }
                builtins[name] = try readBuiltin(&section, enabledByDefault: !disabledByDefault.contains(name))
                try section.rejectUnknownKeys()
            }
        }
        var dbus: [DBusBlock] = []
        for var section in try root.read(RootKeys.dbus) {
            dbus.append(try DBusBlock.read(&section))
            try section.rejectUnknownKeys()
        }
        var commandFiles = CommandFilesSettings(configurationFile: file)
        if var section = try root.read(RootKeys.commandFiles) {
            commandFiles = try CommandFilesSettings.read(&section, configurationFile: file)
            try section.rejectUnknownKeys()
        }
        var monitor: MonitorSettings?
        if var section = try root.read(RootKeys.monitor) {
            monitor = try MonitorSettings.read(&section)
            try section.rejectUnknownKeys()
        }
        var chat = ChatSettings()
        if var section = try root.read(RootKeys.chat) {
            chat = try ChatSettings.read(&section)
            try section.rejectUnknownKeys()
        }
        var fleet: FleetSettings?
        if var section = try root.read(RootKeys.fleet) {
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

    // MARK: Tables

    private static func readAccount(_ section: inout ConfigSection, warnings: inout [String]) throws(ConfigurationError) -> ClientConfiguration {
        typealias Keys = AccountKeys
        let jidText = try section.read(Keys.jid)
        let jid: JID
        do {
            jid = try JID(jidText)
        } catch {
            throw section.error(Keys.jid.name, "'\(jidText)' is not a valid JID: \(error)")
        }
        guard jid.localpart != nil else { throw section.error(Keys.jid.name, "needs a user part (user@host)") }
        guard jid.isBare else { throw section.error(Keys.jid.name, "must not name a resource; set account.resource instead") }

        let password = try readPassword(&section, warnings: &warnings)
        let resource = try section.read(Keys.resource)
        do {
            _ = try jid.withResource(resource)
        } catch {
            throw section.error(Keys.resource.name, "is not a valid resource: \(error)")
        }
        let host = try section.read(Keys.host)
        if let host, host.isEmpty { throw section.error(Keys.host.name, "is empty; leave it out to use DNS SRV") }
        let port = try section.read(Keys.port)
        let tls = try section.read(Keys.tls)
        if tls == .plaintext, !isLoopback(host) {
            throw section.error(Keys.tls.name, "\"none\" (no encryption) is allowed only with a loopback host such as 127.0.0.1")
        }
        let caFile = try section.read(Keys.caFile)
        let tlsSettings = TLSSettings(caFile: caFile)
        if caFile != nil {
            do {
                try tlsSettings.validate()
            } catch {
                throw section.error(Keys.caFile.name, "cannot be used: \(error)")
            }
        }
        return ClientConfiguration(
            account: jid, password: password, resource: resource, host: host, port: port, tls: tls, tlsSettings: tlsSettings,
            softwareVersion: AdhocdVersion.current)
    }

    private static func readPassword(_ section: inout ConfigSection, warnings: inout [String]) throws(ConfigurationError) -> Secret {
        let inline = try section.read(AccountKeys.password)
        let passwordFile = try section.read(AccountKeys.passwordFile)
        let passwordKey = AccountKeys.password.name, fileKey = AccountKeys.passwordFile.name
        switch (inline, passwordFile) {
        case (.some, .some):
            throw section.error(passwordKey, "give either password or password_file, not both")
        case (nil, nil):
            throw section.error(fileKey, "is required (or account.password)")
        case (let password?, nil):
            guard !password.isEmpty else { throw section.error(passwordKey, "is empty") }
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
        settings.show = try section.read(PresenceKeys.show)
        settings.status = try section.read(PresenceKeys.status)
        settings.priority = try section.read(PresenceKeys.priority)
        return settings
    }

    private static func readConnection(_ section: inout ConfigSection, into client: inout ClientConfiguration) throws(ConfigurationError) {
        client.keepaliveInterval = try section.read(ConnectionKeys.keepaliveInterval)
        client.pingTimeout = try section.read(ConnectionKeys.pingTimeout)
        client.connectTimeout = try section.read(ConnectionKeys.connectTimeout)
        client.backoff.maximum = try section.read(ConnectionKeys.reconnectMaxDelay)
        client.streamManagement = try section.read(ConnectionKeys.streamManagement)
    }

    private static func readBuiltin(_ section: inout ConfigSection, enabledByDefault: Bool) throws(ConfigurationError) -> BuiltinSettings {
        let enabled = try section.read(BuiltinKeys.enabled) ?? enabledByDefault
        let allow = try section.read(BuiltinKeys.allow)
        let deny = try section.read(BuiltinKeys.deny)
        do {
            return BuiltinSettings(enabled: enabled, policy: try AccessPolicy(allow: allow, deny: deny))
        } catch {
            let key = allow.contains(where: { (try? AccessRule(parsing: $0)) == nil }) ? BuiltinKeys.allow : BuiltinKeys.deny
            throw section.error(key.name, error.description)
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
