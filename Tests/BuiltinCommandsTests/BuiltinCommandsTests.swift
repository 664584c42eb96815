import AdHoc
import Synchronization
import Testing
import XMPPCore
@testable import BuiltinCommands

@Suite struct ProcParserTests {
    @Test func readsUptimeAndLoad() throws {
        #expect(ProcParser.uptime("350735.47 234388.90\n") == 350_735.47)
        let load = try #require(ProcParser.loadAverage("0.52 0.40 0.31 1/123 4567\n"))
        #expect(load.0 == 0.52 && load.1 == 0.40 && load.2 == 0.31)
        #expect(ProcParser.loadAverage("garbage") == nil)
        #expect(ProcParser.uptime("") == nil)
        #expect(ProcParser.uptime("inf 1") == nil)
        #expect(ProcParser.memory("MemTotal: 99999999999999999999 kB\n") == nil)
        #expect(ProcParser.memory("MemTotal: 18446744073709551615 kB\n")?.totalBytes == .max)
    }

    @Test func readsMemory() throws {
        let meminfo = """
        MemTotal:        8000000 kB
        MemFree:          500000 kB
        MemAvailable:    6000000 kB
        Buffers:          100000 kB
        """
        let memory = try #require(ProcParser.memory(meminfo))
        #expect(memory.totalBytes == 8_000_000 * 1024)
        #expect(memory.availableBytes == 6_000_000 * 1024)
        #expect(memory.usedBytes == 2_000_000 * 1024)
        // Old kernels: no MemAvailable.
        let old = try #require(ProcParser.memory("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n"))
        #expect(old.availableBytes == 35 * 1024)
        #expect(ProcParser.memory("nothing here") == nil)
    }

    @Test func readsDataBearingMountsOnce() {
        let mounts = """
        proc /proc proc rw 0 0
        /dev/sda1 / ext4 rw 0 0
        tmpfs /run tmpfs rw 0 0
        /dev/sda2 /home ext4 rw 0 0
        /dev/sda2 /srv/bind ext4 rw 0 0
        /dev/sdb1 /mnt/My\\040Disk vfat rw 0 0
        overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0
        """
        let parsed = ProcParser.mounts(mounts)
        #expect(parsed.map(\.mountPoint) == ["/", "/home", "/mnt/My Disk"])
        // A container's overlay root still counts.
        #expect(ProcParser.mounts("overlay / overlay rw 0 0\n").map(\.mountPoint) == ["/"])
    }

    @Test func readsThisMachine() throws {
        let snapshot = try HostProbe().snapshot()
        #expect(snapshot.uptimeSeconds > 0)
        #expect(snapshot.memory.totalBytes > 0)
        #expect(!snapshot.hostname.isEmpty)
        #expect(snapshot.disks.contains { $0.mountPoint == "/" })
    }

    @Test func failsClearlyWithoutProc() {
        #expect(throws: HostProbe.ProbeError.self) { try HostProbe(procRoot: "/nonexistent").snapshot() }
    }
}

@Suite struct FormatTests {
    @Test func formatsDurationsBytesAndDecimals() {
        #expect(Format.duration(seconds: 42.9) == "42 s")
        #expect(Format.duration(seconds: .infinity) == "unknown")
        #expect(Format.duration(seconds: 3700) == "1 h 1 min")
        #expect(Format.duration(seconds: 3 * 86_400 + 4 * 3600 + 5 * 60) == "3 d 4 h 5 min")
        #expect(Format.bytes(512) == "512 B")
        #expect(Format.bytes(1536) == "1.5 KiB")
        #expect(Format.bytes(8 * 1024 * 1024 * 1024) == "8.0 GiB")
        #expect(Format.decimal(0.5, places: 2) == "0.50")
        #expect(Format.decimal(-1.005, places: 1) == "-1.0")
        #expect(Format.decimal(2, places: 0) == "2")
        #expect(Format.decimal(.nan, places: 2) == "nan")
        #expect(Format.decimal(1e300, places: 2) == "1e+300")
    }
}

@Suite struct BuiltinCommandTests {
    let context = CommandContext(requester: try! JID("bot@example.org/phone"), node: "x", sessionID: "s")

    @Test func statusIsOneResultFormWithADiskTable() async throws {
        let snapshot = HostSnapshot(
            hostname: "box", uptimeSeconds: 90_000, load: (0.5, 0.25, 0.125),
            memory: .init(totalBytes: 4 << 30, availableBytes: 3 << 30),
            disks: [.init(mountPoint: "/", fileSystem: "ext4", totalBytes: 100 << 30, availableBytes: 40 << 30, usedBytes: 60 << 30)])
        let form = StatusCommand.form(for: snapshot)
        #expect(form.kind == .result)
        #expect(form.field("hostname")?.value == "box")
        #expect(form.field("uptime")?.value == "1 d 1 h 0 min")
        #expect(form.field("load")?.value == "0.50 0.25 0.13")
        #expect(form.field("memory")?.value == "1.0 GiB of 4.0 GiB used (25%)")
        #expect(form.reported?.map(\.variable) == ["mount", "size", "used", "free", "use"])
        #expect(form.items.first?.first { $0.variable == "use" }?.value == "60%")
        let huge = HostSnapshot.Disk(mountPoint: "/x", fileSystem: "fuse", totalBytes: .max, availableBytes: .max / 2, usedBytes: .max / 2)
        #expect(huge.usedPercent == 50)

        let step = try await StatusCommand(policy: .ownAccountOnly).start(context)
        guard case .complete(.form(let live)) = step else { Issue.record("expected a result form"); return }
        #expect(live.items.isEmpty == false)
    }

    @Test func setPresenceOffersTheCurrentStateAndChangesIt() async throws {
        let state = Mutex(PresenceChoice(show: .online, status: "fine", priority: 3))
        final class Box: Sendable { let value = Mutex<PresenceChoice?>(nil) }
        let changed = Box()
        let control = PresenceControl(current: { state.withLock { $0 } }, change: { choice in changed.value.withLock { $0 = choice } })
        let command = SetPresenceCommand(policy: .ownAccountOnly, control: control)
        guard case .ask(let stage) = try await command.start(context) else { Issue.record("expected a form"); return }
        #expect(stage.isFinal)
        #expect(stage.form.formType == "http://jabber.org/protocol/rc")
        #expect(stage.form.field("status")?.value == "online")
        #expect(stage.form.field("status")?.options.map(\.value) == ["chat", "online", "away", "xa", "dnd"])
        #expect(stage.form.field("status-priority")?.value == "3")
        #expect(stage.form.field("status-message")?.values == ["fine"])

        let values = try stage.form.validate(DataForm(.submit, fields: [
            FormField("status", type: nil, values: ["dnd"]),
            FormField("status-message", type: nil, values: ["backing up", "do not reboot"]),
        ]))
        let step = try await command.submit(stage: stage.id, values: values, action: .complete, context: context)
        guard case .complete(.note(let text, _)) = step else { Issue.record("expected a note"); return }
        #expect(text == "Presence set to Do not disturb: backing up\ndo not reboot")
        #expect(changed.value.withLock { $0 } == PresenceChoice(show: .dnd, status: "backing up\ndo not reboot", priority: 3))

        #expect(throws: FormValidationError.self) {
            try stage.form.validate(DataForm(.submit, fields: [FormField("status-priority", type: nil, values: ["500"])]))
        }
    }

    @Test func reloadReportsSuccessAndFailure() async throws {
        struct Invalid: Error, CustomStringConvertible { var description: String { "adhocd.toml: account.port: bad" } }
        let works = ReloadCommand(policy: .ownAccountOnly) { "Reloaded: nothing changed." }
        guard case .complete(.note(let text, _)) = try await works.start(context) else { Issue.record("expected a note"); return }
        #expect(text == "Reloaded: nothing changed.")
        let fails = ReloadCommand(policy: .ownAccountOnly) { throw Invalid() }
        guard case .complete(.failure(let message)) = try await fails.start(context) else { Issue.record("expected a failure"); return }
        #expect(message.contains("account.port: bad"))
    }
}
