import Commands
import XMPPCore

/// `echo`: asks for a line of text and answers with it. Off by default; it exists to try a
/// client's command UI and to benchmark the command path without touching the host.
public struct EchoCommand: Command {
    public let node = "echo"
    public let name = "Echo"
    public let policy: AccessPolicy

    public init(policy: AccessPolicy) {
        self.policy = policy
    }

    public func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "text", form: DataForm(.form, title: "Echo", fields: [
            FormField("text", type: .textSingle, label: "Text", isRequired: true),
        ]), isFinal: true))
    }

    public func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        .complete(.note(values.string("text") ?? ""))
    }
}
