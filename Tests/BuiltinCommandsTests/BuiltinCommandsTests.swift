import AdHoc
import HostMetrics
import Synchronization
import Testing
import XMPPCore
@testable import BuiltinCommands

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
