import Commands
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
        let control = PresenceControl(current: { state.withLock { $0 } }, change: { choice in
            changed.value.withLock { $0 = choice }
            state.withLock { $0 = choice }
        })
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

        // The message it now shows goes one line a value.
        guard case .ask(let again) = try await command.start(context) else { Issue.record("expected a form"); return }
        #expect(again.form.field("status-message")?.values == ["backing up", "do not reboot"])
    }

    @Test func setPresenceRefusesAMessageTooLongForAPresence() async throws {
        let state = Mutex(PresenceChoice(show: .online, status: "fine", priority: 3))
        let control = PresenceControl(current: { state.withLock { $0 } }, change: { choice in state.withLock { $0 = choice } })
        let command = SetPresenceCommand(policy: .ownAccountOnly, control: control)
        guard case .ask(let stage) = try await command.start(context) else { Issue.record("expected a form"); return }
        func submit(_ message: [String]) async throws -> CommandStep {
            let values = try stage.form.validate(DataForm(.submit, fields: [
                FormField("status", type: nil, values: ["dnd"]), FormField("status-message", type: nil, values: message),
            ]))
            return try await command.submit(stage: stage.id, values: values, action: .complete, context: context)
        }
        // 600 characters on each of two lines, and the line break: 1,201.
        let step = try await submit([String(repeating: "é", count: 600), String(repeating: "x", count: 600)])
        guard case .complete(.failure(let text)) = step else { Issue.record("expected a failure, got \(step)"); return }
        #expect(text == "Not changed: the message has 1201 characters; a presence carries at most 1024.")
        #expect(state.withLock { $0 } == PresenceChoice(show: .online, status: "fine", priority: 3))

        _ = try await submit([String(repeating: "é", count: 1024)])
        #expect(state.withLock { $0 } == PresenceChoice(show: .dnd, status: String(repeating: "é", count: 1024), priority: 3))
    }

    @Test func setPresenceOffersToHandBackToTheHealthMonitor() async throws {
        final class Box: Sendable { let resumed = Mutex(false); let changed = Mutex<PresenceChoice?>(nil) }
        let box = Box()
        let control = PresenceControl(
            current: { PresenceChoice(show: .away, status: "load 3.1 (warning)", priority: 0) },
            change: { choice in box.changed.withLock { $0 = choice } },
            automaticIsActive: { true },
            resumeAutomatic: { box.resumed.withLock { $0 = true } })
        let command = SetPresenceCommand(policy: .ownAccountOnly, control: control)
        guard case .ask(let stage) = try await command.start(context) else { Issue.record("expected a form"); return }
        #expect(stage.form.field("automatic")?.type == .boolean)
        #expect(stage.form.field("automatic")?.value == "false")

        let manual = try stage.form.validate(DataForm(.submit, fields: [FormField("status", type: nil, values: ["dnd"])]))
        _ = try await command.submit(stage: stage.id, values: manual, action: .complete, context: context)
        #expect(box.changed.withLock { $0?.show } == .dnd)
        #expect(!box.resumed.withLock { $0 })

        let back = try stage.form.validate(DataForm(.submit, fields: [FormField("automatic", type: nil, values: ["1"])]))
        guard case .complete(.note(let text, _)) = try await command.submit(stage: stage.id, values: back, action: .complete, context: context) else {
            Issue.record("expected a note")
            return
        }
        #expect(text == "Presence follows the health monitor again.")
        #expect(box.resumed.withLock { $0 })

        // Without a monitor, no such field.
        let plain = SetPresenceCommand(policy: .ownAccountOnly, control: PresenceControl(current: control.current, change: control.change))
        guard case .ask(let plainStage) = try await plain.start(context) else { Issue.record("expected a form"); return }
        #expect(plainStage.form.field("automatic") == nil)
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
