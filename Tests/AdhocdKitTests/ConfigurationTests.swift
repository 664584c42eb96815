import Chat
import Commands
import Foundation
import Testing
import TOMLConfig
import XMPPClient
import XMPPCore
@testable import AdhocdKit

@Suite struct ConfigurationTests {
    func parse(_ text: String) throws(ConfigurationError) -> DaemonConfiguration {
        try DaemonConfiguration.parse(text, file: "adhocd.toml")
    }

    func expectError(_ text: String, key: String, containing fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(text)
            Issue.record("expected an error at \(key)", sourceLocation: sourceLocation)
        } catch {
            guard case .invalid(let file, let errorKey, let problem) = error else {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(file == "adhocd.toml", sourceLocation: sourceLocation)
            #expect(errorKey == key, sourceLocation: sourceLocation)
            #expect(problem.contains(fragment), "\(problem)", sourceLocation: sourceLocation)
        }
    }

    @Test func readsAFullConfiguration() throws {
        let configuration = try parse("""
        [account]
        jid = "Bot@Example.org"
        password = "s3cret"
        resource = "living-room"
        host = "xmpp.example.org"
        port = 5223
        tls = "direct"

        [presence]
        show = "away"
        status = "Booting"
        priority = 10

        [connection]
        keepalive_interval = 30
        ping_timeout = 5.5
        connect_timeout = 10
        reconnect_max_delay = 120
        stream_management = false

        [adhoc]
        session_timeout = 3600
        max_sessions_per_account = 3
        max_sessions = 50

        [commands.status]
        allow = ["self", "group:coloc"]
        deny = ["jid:eve@example.org"]

        [commands.reload]
        enabled = false
        """)
        let client = configuration.client
        #expect(client.account.description == "bot@example.org")
        #expect(client.password.value == "s3cret")
        #expect(client.resource == "living-room")
        #expect(client.host == "xmpp.example.org")
        #expect(client.port == 5223)
        #expect(client.tls == .directTLS)
        #expect(client.presence == PresenceSettings(show: .away, status: "Booting", priority: 10))
        #expect(client.keepaliveInterval == .seconds(30))
        #expect(client.pingTimeout == .milliseconds(5500))
        #expect(client.connectTimeout == .seconds(10))
        #expect(client.backoff.maximum == .seconds(120))
        #expect(!client.streamManagement)
        #expect(configuration.sessionLimits == SessionLimits(defaultIdleTimeout: .seconds(3600), perAccount: 3, total: 50))
        #expect(configuration.builtins["status"] == .init(enabled: true, policy: AccessPolicy(
            allow: [.ownAccount, .group("coloc")], deny: [.account(try JID("eve@example.org"))])))
        #expect(configuration.builtins["reload"]?.enabled == false)
        #expect(configuration.builtins["set-presence"] == .init(enabled: true, policy: .ownAccountOnly))
        #expect(configuration.groupNames == ["coloc"])
    }

    @Test func hasSaneDefaults() throws {
        let configuration = try parse("[account]\njid = \"bot@example.org\"\npassword = \"x\"\n")
        #expect(configuration.client.resource == "adhocd")
        #expect(configuration.client.tls == .startTLS)
        #expect(configuration.client.host == nil)
        #expect(configuration.client.presence == PresenceSettings())
        #expect(configuration.sessionLimits == SessionLimits())
        for name in ["status", "set-presence", "reload"] { #expect(configuration.builtins[name] == .init()) }
        #expect(configuration.builtins["echo"] == .init(enabled: false))
        #expect(configuration.subscriptions == SubscriptionSettings())
        #expect(configuration.subscriptions.otherRequests == .decline)
        #expect(configuration.monitor == nil)
    }

    @Test func readsSubscriptionsAndTheMonitor() throws {
        let configuration = try parse("""
        [account]
        jid = "bot@example.org"
        password = "x"

        [presence]
        subscribers = ["jid:friend@example.org", "group:family"]
        other_requests = "pending"

        [monitor]
        interval = 30
        disks = ["/", "/srv"]
        alerts = ["group:admins"]
        """)
        #expect(configuration.subscriptions.subscribers == AccessPolicy(allow: [.account(try JID("friend@example.org")), .group("family")]))
        #expect(configuration.subscriptions.otherRequests == .pending)
        let monitor = try #require(configuration.monitor)
        #expect(monitor.interval == .seconds(30))
        #expect(monitor.disks == ["/", "/srv"])
        #expect(configuration.groupNames == ["family", "admins"])
        #expect(try parse("[account]\njid = \"bot@example.org\"\npassword = \"x\"\n[monitor]\nenabled = false\n").monitor == nil)
    }

    @Test func readsTheChatSection() throws {
        let account = "[account]\njid = \"bot@example.org\"\npassword = \"x\"\n"
        #expect(try parse(account).chat == ChatSettings())
        let configuration = try parse(account + """
            [chat]
            stale_after = 60
            allow = ["group:coloc"]
            deny = ["group:kids"]

            [chat.aliases]
            pause = "mpris/remote action=play-pause"
            """)
        #expect(configuration.chat.staleAfter == 60)
        #expect(configuration.chat.alias("pause")?.targetText == "mpris/remote action=play-pause")
        // Groups the chat rules name are checked against the roster like any other rule's.
        #expect(configuration.groupNames.isSuperset(of: ["coloc", "kids"]))
        expectError(account + "[chat]\nstale_after = -1\n", key: "chat.stale_after", containing: "between 1 and 86400")
        expectError(account + "[chat]\nenable = false\n", key: "chat.enable", containing: "did you mean 'enabled'")
        expectError(account + "[chat.aliases]\nhelp = \"status\"\n", key: "chat.aliases.help", containing: "already means something")
    }

    @Test func readsTheFleetSection() throws {
        let account = "[account]\njid = \"bot@example.org\"\npassword = \"x\"\n"
        #expect(try parse(account).fleet == nil)
        let fleet = try #require(try parse(account + "[fleet]\nroom = \"fleet@conference.example.org\"\nnick = \"web1\"\nrate_burst = 3\n").fleet)
        #expect(fleet.room == (try JID("fleet@conference.example.org")))
        #expect(fleet.nick == "web1")
        #expect(fleet.password == nil)
        #expect(fleet.rateBurst == 3)
        #expect(fleet.rateInterval == 2)
        #expect(fleet.joinTimeout == .seconds(30))
        let patient = try #require(try parse(account + "[fleet]\nroom = \"fleet@conference.example.org\"\njoin_timeout = 90\n").fleet)
        #expect(patient.joinTimeout == .seconds(90))
        expectError(account + "[fleet]\nroom = \"fleet@conference.example.org\"\njoin_timeout = 0\n", key: "fleet.join_timeout", containing: "between 1 and 600")
        var section = ConfigSection(file: "adhocd.toml", path: "fleet", values: ["room": .string("fleet@conference.example.org")])
        var warnings: [String] = []
        #expect(try DaemonConfiguration.readFleet(&section, warnings: &warnings, hostName: "web7.example.org").nick == "web7")
        expectError(account + "[fleet]\nnick = \"web1\"\n", key: "fleet.room", containing: "is required")
        expectError(account + "[fleet]\nroom = \"conference.example.org\"\n", key: "fleet.room", containing: "bare JID")
        expectError(account + "[fleet]\nroom = \"fleet@conference.example.org/web1\"\n", key: "fleet.room", containing: "bare JID")
        expectError(account + "[fleet]\nroom = \"fleet@conference.example.org\"\nnick = \"\"\n", key: "fleet.nick", containing: "cannot be a nick")
        expectError(account + "[fleet]\nroom = \"fleet@conference.example.org\"\npassword_file = \"/nonexistent/pw\"\n", key: "fleet.password_file", containing: "No such file")
    }

    @Test func readsThePasswordFromAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adhocd-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("password").path
        try "pa ss\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile)
        let configuration = try parse("[account]\njid = \"bot@example.org\"\npassword_file = \"\(passwordFile)\"\n")
        #expect(configuration.client.password.value == "pa ss")
        #expect(configuration.warnings.isEmpty)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passwordFile)
        #expect(try parse("[account]\njid = \"bot@example.org\"\npassword_file = \"\(passwordFile)\"\n").warnings.count == 1)

        try "".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        expectError("[account]\njid = \"bot@example.org\"\npassword_file = \"\(passwordFile)\"\n", key: "account.password_file", containing: "is empty")
        expectError("[account]\njid = \"bot@example.org\"\npassword_file = \"/nonexistent/pw\"\n", key: "account.password_file", containing: "No such file")
    }

    @Test func namesTheKeyOfEveryMistake() {
        let account = "[account]\njid = \"bot@example.org\"\npassword = \"hunter2\"\n"
        expectError("", key: "account", containing: "required")
        expectError("[account]\npassword = \"x\"\n", key: "account.jid", containing: "required")
        expectError("[account]\njid = \"not a jid\"\npassword = \"x\"\n", key: "account.jid", containing: "not a valid JID")
        expectError("[account]\njid = \"example.org\"\npassword = \"x\"\n", key: "account.jid", containing: "user part")
        expectError("[account]\njid = \"bot@example.org/res\"\npassword = \"x\"\n", key: "account.jid", containing: "resource")
        expectError("[account]\njid = \"bot@example.org\"\n", key: "account.password_file", containing: "required")
        expectError(account + "password_file = \"/x\"\n", key: "account.password", containing: "not both")
        expectError(account + "port = 70000\n", key: "account.port", containing: "between 1 and 65535")
        expectError(account + "port = \"5222\"\n", key: "account.port", containing: "expected an integer, found a string")
        expectError(account + "tls = \"maybe\"\n", key: "account.tls", containing: "must be one of")
        expectError(account + "tls = \"none\"\nhost = \"xmpp.example.org\"\n", key: "account.tls", containing: "loopback")
        expectError(account + "ca_file = \"/nonexistent.pem\"\n", key: "account.ca_file", containing: "cannot be used")
        expectError(account + "pasword = \"typo\"\n", key: "account.pasword", containing: "unknown key")
        expectError(account + "[presence]\nshow = \"sleeping\"\n", key: "presence.show", containing: "must be one of")
        expectError(account + "[presence]\npriority = 200\n", key: "presence.priority", containing: "between -128 and 127")
        expectError(account + "[presence]\nsubscribers = [\"everyone\"]\n", key: "presence.subscribers", containing: "is not a rule")
        expectError(account + "[presence]\nother_requests = \"ignore\"\n", key: "presence.other_requests", containing: "\"decline\" or \"pending\"")
        expectError(account + "[monitor]\nload_warning = -1\n", key: "monitor.load_warning", containing: "between 0 and 1000")
        expectError(account + "[monitor]\nprobe = \"x\"\n", key: "monitor.probe", containing: "unknown key")
        expectError(account + "[connection]\nping_timeout = 0\n", key: "connection.ping_timeout", containing: "between")
        expectError(account + "[commands.shutdown]\nenabled = true\n", key: "commands.shutdown", containing: "no built-in command")
        expectError(account + "[commands.status]\nallow = [\"everyone\"]\n", key: "commands.status.allow", containing: "is not a rule")
        expectError(account + "[commands.status]\nallow = [\"self\"]\ndeny = [\"jid:a@b/c\"]\n", key: "commands.status.deny", containing: "names a resource")
        expectError(account + "[commands.status]\nallow = \"self\"\n", key: "commands.status.allow", containing: "list of strings")
        expectError(account + "[commands.status]\nallow = [1]\n", key: "commands.status.allow", containing: "item 1")
        expectError(account + "[extra]\n", key: "extra", containing: "unknown key")
    }

    @Test func neverEchoesThePassword() {
        let texts = [
            "[account]\njid = \"bot@example.org\"\npassword = \"hunter2\"\nport = \"hunter2\"\n",
            "[account]\njid = \"bot@example.org\"\npassword = 123456\n",
            "[account]\njid = \"bot@example.org\"\npassword = \"hunter2\"\npassword_file = \"/x\"\n",
        ]
        for text in texts {
            do {
                _ = try parse(text)
                Issue.record("expected an error")
            } catch {
                #expect(!error.description.contains("hunter2"))
                #expect(!error.description.contains("123456"))
            }
        }
        #expect(Secret("hunter2").description == "<redacted>")
        #expect("\(Secret("hunter2"))" == "<redacted>")
    }

    @Test func reportsSyntaxErrorsWithTheirPosition() {
        do {
            _ = try parse("[account]\njid = \"unterminated\n")
            Issue.record("expected a syntax error")
        } catch {
            guard case .syntax(let file, let line, _, _) = error else { Issue.record("\(error)"); return }
            #expect(file == "adhocd.toml")
            #expect(line == 2)
        }
        #expect(throws: ConfigurationError.self) { try DaemonConfiguration.load(from: "/nonexistent/adhocd.toml") }
    }

    @Test func refusesAFileThatIsNotUTF8WithItsLine() throws {
        let file = "/tmp/adhocd-latin1-\(getpid()).toml"
        let bytes: [UInt8] = Array("[account]\njid = \"bot@example.org\"\npassword_file = \"/etc/caf".utf8) + [0xE9] + Array("\"\n".utf8)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        defer { unlink(file) }
        #expect(throws: ConfigurationError.syntax(file: file, line: 3, column: 26, message: "byte 0xE9 is not valid UTF-8: TOML files are UTF-8, save the file as UTF-8")) {
            try DaemonConfiguration.load(from: file)
        }
    }

    @Test func readsTheCommandsDirectorySettings() throws {
        let account = "[account]\njid = \"bot@example.org\"\npassword = \"x\"\n"
        let defaults = try DaemonConfiguration.parse(account, file: "/etc/adhocd/adhocd.toml").commandFiles
        #expect(defaults.directory == "/etc/adhocd/commands.d")
        #expect(!defaults.directoryIsExplicit)
        #expect(defaults.auditLog == "/var/log/adhocd/commands.jsonl")
        #expect(defaults.maxRunning == 4 && defaults.outputLimit == 65536 && defaults.killGrace == .seconds(5))

        let configured = try DaemonConfiguration.parse(account + """
        [commands_d]
        directory = "local.d"
        audit_log = "/srv/audit.jsonl"
        max_running = 2
        output_limit = 2048
        kill_grace = 1.5
        """, file: "/etc/adhocd/adhocd.toml").commandFiles
        #expect(configured.directory == "/etc/adhocd/local.d" && configured.directoryIsExplicit)
        #expect(configured.auditLog == "/srv/audit.jsonl")
        #expect(configured.maxRunning == 2 && configured.outputLimit == 2048 && configured.killGrace == .milliseconds(1500))

        expectError(account + "[commands_d]\noutput_limit = 10\n", key: "commands_d.output_limit", containing: "between 1024 and 131072")
        expectError(account + "[commands_d]\nmax_running = 0\n", key: "commands_d.max_running", containing: "between 1 and 1000")
        expectError(account + "[commands_d]\ndirectory = \"\"\n", key: "commands_d.directory", containing: "is empty")
        expectError(account + "[commands_d]\ndir = \"x\"\n", key: "commands_d.dir", containing: "unknown key")
    }

    @Test func theShippedExampleIsValid() throws {
        let example = try String(contentsOfFile: repositoryRoot() + "/packaging/adhocd.example.toml", encoding: .utf8)
        let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("adhocd-pw-\(UUID().uuidString)").path
        try "secret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        let configuration = try parse(example.replacing("/etc/adhocd/password", with: passwordFile))
        #expect(configuration.client.account.description == "bot@example.org")
        #expect(configuration.builtins["status"]?.policy.allow == [.ownAccount, .group("admins")])
        #expect(configuration.monitor?.alerts == [.group("admins")])
        #expect(configuration.chat == ChatSettings())
    }

    private func repositoryRoot() -> String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return "."
    }
}
