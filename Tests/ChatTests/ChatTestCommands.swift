import CommandTestKit
import Commands
import Logging
import Synchronization
import XMPPCore
@testable import Chat

/// The fixture's engine (greet, tune, admin; alice in coloc) with commands shaped like the real
/// providers': a one-parameter program, a confirmation, a secret, a table, a slow one, a remote.
struct ChatFixture {
    let base = EngineFixture()
    let runs = Recorder<String>()
    let remote = RemoteState()
    let conversation: CommandConversation

    var engine: CommandEngine { base.engine }
    var refusals: Recorder<CommandRefusal> { base.refusals }
    static let bot = try! JID("bot@example.org/adhocd")

    init(aliases: [ChatAlias] = []) {
        let coloc = EngineFixture.coloc
        base.registry.setCommands([
            ShowCommand(policy: coloc, runs: runs),
            WipeCommand(policy: coloc, runs: runs),
            SecretCommand(policy: coloc),
            InstantCommand(node: "disks", name: "Disk usage", policy: coloc, outcome: { Self.table(rows: 3) }),
            InstantCommand(node: "slow", name: "Slow", policy: coloc, outcome: {
                try await Task.sleep(for: .milliseconds(400))
                return .note("finally")
            }),
            RemoteCommand(policy: coloc, state: remote),
            InstantCommand(node: "fails", name: "Fails", policy: coloc, outcome: { throw Boom() }),
            InstantCommand(node: "uptime", name: "Uptime", policy: coloc, outcome: { .note("up 3 days") }),
            InstantCommand(node: "update", name: "Update packages", policy: coloc, outcome: { .note("updated") }),
        ], provider: "chat-tests")
        conversation = CommandConversation(
            engine: base.engine, aliases: aliases, now: { [clock = base.clock] in clock.now },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func say(_ text: String, from requester: JID = Fixture.alice) async -> String {
        await conversation.answer(text, turn: ConversationTurn(requester: requester, key: .chat(with: requester), bot: Self.bot))
    }

    /// Adds `wait` ("Waiting"), which answers "waited" once the returned gate opens.
    func addGatedCommand() -> Gate {
        let gate = Gate()
        base.registry.setCommands([
            InstantCommand(node: "wait", name: "Waiting", policy: EngineFixture.coloc, outcome: {
                await gate.wait()
                return .note("waited")
            }),
        ], provider: "gated")
        return gate
    }

    static func table(rows: Int) -> CommandOutcome {
        .form(DataForm(.result, title: "Disk usage", reported: [FormField("mount", label: "Mount"), FormField("use", label: "Use%")],
                       items: (0..<rows).map { [FormField("mount", values: ["/m\($0)"]), FormField("use", values: ["\($0 * 10)%"])] }))
    }
}

/// One text parameter, shown back as the program would receive it.
struct ShowCommand: Command {
    var node = "show"
    var name = "Show a value"
    var policy: AccessPolicy
    let runs: Recorder<String>

    func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "value", form: DataForm(.form, title: "Show a value", fields: [
            FormField("value", type: .textSingle, label: "Value", isRequired: true),
        ]), isFinal: true))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        let value = values.string("value") ?? ""
        runs.append("show \(value)")
        return .complete(.note("[\(value)]"))
    }
}

/// Parameters, then a confirmation as commands.d asks it: instructions and one boolean.
struct WipeCommand: Command {
    var node = "wipe"
    var name = "Wipe a disk"
    var policy: AccessPolicy
    let runs: Recorder<String>

    func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "disk", form: DataForm(.form, title: "Wipe a disk", fields: [
            FormField("disk", type: .listSingle, label: "Disk", isRequired: true,
                      options: [.init("sda", label: "System disk"), .init("sdb", label: "Backup disk"), .init("sdc")]),
            FormField("passes", type: .textSingle, label: "Passes", values: ["1"],
                      validation: FieldValidation(datatype: .integer, method: .range(min: "1", max: "3"))),
        ]), isFinal: false))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        if stage == "disk" {
            let disk = values.string("disk") ?? ""
            return .ask(CommandStage(id: "confirm:\(disk):\(values.string("passes") ?? "")", form: DataForm(.form, title: "Wipe a disk", instructions: ["Wipe \(disk) now?"], fields: [
                FormField("confirm", type: .boolean, label: "Yes, run it", isRequired: true, values: ["false"]),
            ]), isFinal: true))
        }
        let parts = stage.split(separator: ":")
        guard values.bool("confirm") == true else {
            runs.append("declined \(parts[1])")
            return .complete(.note("Nothing was run."))
        }
        runs.append("wipe \(parts[1]) \(parts[2])")
        return .complete(.note("Wiped \(parts[1])."))
    }
}

/// One list-single with the options given: for lists too long for one message.
struct PickCommand: Command {
    var node = "pick"
    var name = "Pick"
    var policy = EngineFixture.coloc
    let options: [FormField.Option]

    func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "pick", form: DataForm(.form, fields: [
            FormField("pick", type: .listSingle, label: "Pick", isRequired: true, options: options),
        ]), isFinal: true))
    }
}

struct SecretCommand: Command {
    var node = "unlock"
    var name = "Unlock"
    var policy: AccessPolicy

    func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "secret", form: DataForm(.form, fields: [
            FormField("user", type: .textSingle, label: "User"),
            FormField("password", type: .textPrivate, label: "Password", isRequired: true),
        ]), isFinal: true))
    }
}

/// A player's state the remote changes.
final class RemoteState: Sendable {
    private let state = Mutex((playing: true, volume: 50))

    var playing: Bool { state.withLock { $0.playing } }
    var volume: Int { state.withLock { $0.volume } }

    func press(_ action: String) {
        state.withLock { state in
            switch action {
            case "play-pause": state.playing.toggle()
            case "volume-up": state.volume += 10
            case "volume-down": state.volume -= 10
            default: break
            }
        }
    }
}

/// A loop like the MPRIS remote: fixed state fields, one list-single of actions, complete to leave.
struct RemoteCommand: Command {
    var node = "mpris/remote"
    var name = "Media remote"
    var policy: AccessPolicy
    let state: RemoteState

    static let actions: [FormField.Option] = [
        .init("play-pause", label: "⏯ Play/Pause"), .init("previous", label: "⏮ Previous"), .init("next", label: "⏭ Next"),
        .init("volume-down", label: "🔉 Volume −"), .init("volume-up", label: "🔊 Volume +"),
        .init("seek-back", label: "⏪ −10 s"), .init("seek-forward", label: "⏩ +30 s"),
    ]

    func stage(note: String?) -> CommandStep {
        .ask(CommandStage(id: "remote", form: DataForm(.form, title: "Media remote — Test player", fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:adhocd:mpris-remote"]),
            FormField("title", type: .fixed, label: "Playing", values: ["Test tone"]),
            FormField("status", type: .fixed, label: "Status", values: [state.playing ? "Playing" : "Paused"]),
            FormField("volume", type: .fixed, label: "Volume", values: ["\(state.volume) %"]),
            FormField("action", type: .listSingle, label: "Action", options: Self.actions),
        ]), isFinal: false, note: note, canComplete: true))
    }

    func start(_ context: CommandContext) async throws -> CommandStep { stage(note: nil) }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        var note: String?
        if let choice = values.string("action"), !choice.isEmpty {
            state.press(choice)
            note = "Done: \(Self.actions.first { $0.value == choice }?.label ?? choice)"
        }
        if action == .complete { return .complete(.note(state.playing ? "Playing: Test tone" : "Paused: Test tone")) }
        return self.stage(note: note)
    }
}
