import Commands
import ProcessSupervision
import XMPPCore

/// A command defined by a file in commands.d: asks for its parameters (if any), asks for
/// confirmation (if the definition says so), runs the program and shows its output.
public struct FileCommand: Command {
    public let definition: CommandDefinition
    let runtime: CommandFilesRuntime

    public init(definition: CommandDefinition, runtime: CommandFilesRuntime) {
        self.definition = definition
        self.runtime = runtime
    }

    public var node: String { definition.node }
    public var name: String { definition.name }
    public var policy: AccessPolicy { definition.policy }

    /// Past the run's own limit and kill grace, so the run reports its timeout itself.
    public var stageTimeout: Duration { definition.timeout + runtime.settings.killGrace + .seconds(10) }

    enum Stage {
        static let parameters = "parameters"
        static let confirm = "confirm"
    }

    public func start(_ context: CommandContext) async throws -> CommandStep {
        if !definition.parameters.isEmpty { return .ask(parametersStage) }
        if definition.confirm != nil { return ask(confirmationFor: SubmittedValues(), context: context) }
        return .complete(await execute(SubmittedValues(), context: context))
    }

    public func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        switch stage {
        case parametersStageID:
            if definition.confirm != nil { return ask(confirmationFor: values, context: context) }
            return .complete(await execute(values, context: context))
        case Stage.confirm:
            guard let waiting = runtime.pending.take(session: context.sessionID) else {
                return .complete(.failure("This confirmation is no longer valid; start the command again."))
            }
            let submitted = SubmittedValues(waiting.values)
            guard waiting.definition == definition else {
                audit(.notRun, submitted, context, reason: "the definition changed before confirmation")
                return .complete(.failure("\(definition.file) changed while you were confirming; nothing was run. Start the command again."))
            }
            guard values.bool("confirm") == true else {
                audit(.declined, submitted, context, reason: "the requester answered no")
                return .complete(.note("Nothing was run."))
            }
            return .complete(await execute(submitted, context: context))
        case let other where other.hasPrefix(Stage.parameters):
            // The form was checked against the definition that asked for it; a reload since
            // may have tightened its options or patterns, so nothing runs on the old checks.
            audit(.notRun, values, context, reason: "the definition changed while the form was open")
            return .complete(.failure("\(definition.file) changed while the form was open; nothing was run. Start the command again."))
        default:
            return .complete(.failure("Unknown stage; start the command again."))
        }
    }

    public func cancel(_ context: CommandContext) async {
        _ = runtime.pending.take(session: context.sessionID)
    }

    // MARK: Stages

    var parametersStage: CommandStage {
        let form = DataForm(
            .form, title: definition.name, instructions: definition.description.map { [$0] } ?? [],
            fields: definition.parameters.map(\.formField))
        return CommandStage(id: parametersStageID, form: form, isFinal: definition.confirm == nil)
    }

    /// Names the version of the file that built the form, so a submission checked against an
    /// older version is recognised.
    var parametersStageID: String {
        let stamp = definition.stamp
        return "\(Stage.parameters)@\(stamp.inode).\(stamp.size).\(stamp.modified).\(stamp.modifiedNanoseconds)"
    }

    private func ask(confirmationFor values: SubmittedValues, context: CommandContext) -> CommandStep {
        runtime.pending.store(.init(definition: definition, values: values.values), session: context.sessionID)
        let question = definition.confirm?.render(values, parameters: definition.parameters) ?? "Run \(definition.name)?"
        // One boolean: Cheogram shows it as buttons. Off by default, so a stray submit runs nothing.
        let form = DataForm(.form, title: definition.name, instructions: [question], fields: [
            FormField("confirm", type: .boolean, label: "Yes, run it", isRequired: true, values: ["false"]),
        ])
        return .ask(CommandStage(id: Stage.confirm, form: form, isFinal: true))
    }

    // MARK: Running

    func execute(_ values: SubmittedValues, context: CommandContext) async -> CommandOutcome {
        await CommandExecution(command: self, values: values, context: context).run()
    }

    func processSpec(_ values: SubmittedValues, context: CommandContext, settings: CommandFilesSettings) throws(UnpassableValue) -> ProcessSpec {
        var argv = try definition.exec.expand(values, parameters: definition.parameters)
        if let user = definition.user { argv = user.wrapping(argv) }
        let environment = try RunEnvironment.build(
            for: definition, values: values, requester: context.requester, home: (definition.user ?? runtime.ownAccount).home)
        return ProcessSpec(
            argv: argv, environment: environment, workingDirectory: definition.workingDirectory, timeout: definition.timeout,
            killGrace: settings.killGrace, outputLimit: settings.outputLimit)
    }

    // MARK: Audit

    func entry(_ decision: AuditEntry.Decision, _ values: SubmittedValues, _ context: CommandContext) -> AuditEntry {
        AuditEntry(requester: context.requester, node: node, parameters: AuditEntry.parameters(values.values, of: definition), decision: decision)
    }

    func audit(_ decision: AuditEntry.Decision, _ values: SubmittedValues, _ context: CommandContext, reason: String) {
        var entry = entry(decision, values, context)
        entry.reason = reason
        runtime.auditLog.record(entry)
    }
}
