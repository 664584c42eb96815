import TOMLConfig
import Testing
import XMPPCore
@testable import HealthMonitor

/// `[monitor]` as written in adhocd.toml.
@Suite struct MonitorSettingsTests {
    func read(_ text: String) throws(ConfigurationError) -> MonitorSettings? {
        var section = ConfigSection(file: "adhocd.toml", path: "monitor", values: try ConfigValue.parseTOML(text, file: "adhocd.toml"))
        let settings = try MonitorSettings.read(&section)
        try section.rejectUnknownKeys()
        return settings
    }

    func expectError(_ text: String, key: String, containing fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try read(text)
            Issue.record("expected an error at \(key)", sourceLocation: sourceLocation)
        } catch {
            guard case .invalid(_, let errorKey, let problem) = error else {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(errorKey == "monitor.\(key)", sourceLocation: sourceLocation)
            #expect(problem.contains(fragment), "\(problem)", sourceLocation: sourceLocation)
        }
    }

    @Test func defaults() throws {
        let settings = try #require(try read(""))
        #expect(settings == MonitorSettings())
        #expect(settings.interval == .seconds(60))
        #expect(settings.thresholds.load == .above(warning: 1, critical: 2))
        #expect(settings.disks == ["/"])
        #expect(settings.format == .default)
        #expect(settings.alerts.isEmpty)
        #expect(HealthMonitor.probes(for: settings).map(\.kind) == [.load, .memory, .disk("/"), .uptime, .failedUnits])
    }

    @Test func readsEveryKey() throws {
        let settings = try #require(try read("""
        enabled = true
        interval = 30
        load = true
        load_warning = 1.5
        load_critical = 0
        memory = false
        memory_warning = 80
        disks = ["/", "/srv"]
        disk_warning = 90
        disk_critical = 98
        uptime_warning = 900
        uptime_critical = 120
        failed_units = false
        failed_units_critical = 3
        probe_command = ["/bin/true", "--quiet"]
        probe_timeout = 2.5
        format = "{problems} · {disks}"
        alerts = ["jid:admin@example.org", "group:admins"]
        alert_on_recovery = false
        alert_interval = 60
        """))
        #expect(settings.interval == .seconds(30))
        #expect(settings.thresholds.load == .above(warning: 1.5, critical: nil))
        #expect(settings.thresholds.memory == .above(warning: 80, critical: 95))
        #expect(settings.thresholds.disk == .above(warning: 90, critical: 98))
        #expect(settings.thresholds.uptime == .below(warning: 900, critical: 120))
        #expect(settings.thresholds.failedUnits == .above(warning: 1, critical: 3))
        #expect(settings.probeCommand == ["/bin/true", "--quiet"])
        #expect(settings.probeTimeout == .milliseconds(2500))
        #expect(settings.format.template == "{problems} · {disks}")
        #expect(settings.alerts == [.account(try JID("admin@example.org")), .group("admins")])
        #expect(!settings.alertOnRecovery)
        #expect(settings.alertInterval == .seconds(60))
        #expect(settings.groupNames == ["admins"])
        #expect(HealthMonitor.probes(for: settings).map(\.kind) == [.load, .disk("/"), .disk("/srv"), .uptime, .command("true")])
        #expect(try read("enabled = false\ninterval = 5") == nil)
    }

    @Test func errorsNameTheKey() {
        expectError("intervall = 5", key: "intervall", containing: "unknown key")
        expectError("enabled = false\ntypo = 1", key: "typo", containing: "unknown key")
        expectError("interval = 0", key: "interval", containing: "between")
        expectError("memory_warning = 120", key: "memory_warning", containing: "between 0 and 100 percent, found 120")
        expectError("disk_warning = 90\ndisk_critical = 80", key: "disk_critical", containing: "must not be below disk_warning")
        expectError("uptime_warning = 60\nuptime_critical = 600", key: "uptime_critical", containing: "must not be above")
        expectError("load_warning = \"high\"", key: "load_warning", containing: "expected a number (per processor), found a string")
        expectError("disks = [\"srv\"]", key: "disks", containing: "not an absolute path")
        expectError("disks = [\"/\", \"/\"]", key: "disks", containing: "twice")
        expectError("probe_command = []", key: "probe_command", containing: "names no program")
        expectError("probe_command = [\"bin/check\"]", key: "probe_command", containing: "absolute path")
        expectError("probe_command = [\"/nonexistent/check\"]", key: "probe_command", containing: "not an executable file")
        expectError("format = \"{mem}\"", key: "format", containing: "unknown placeholder {mem}")
        expectError("alerts = [\"admin@example.org\"]", key: "alerts", containing: "jid:user@host or group:NAME")
        expectError("alerts = [\"jid:example.org/x\"]", key: "alerts", containing: "bare JID")
    }
}
