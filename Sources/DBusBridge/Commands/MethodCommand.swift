import Commands
import DBus
import XMPPCore

/// A D-Bus method as a command: one field per in-argument, the out-arguments as a result.
struct MethodCommand: Command {
    let node: String
    let name: String
    let policy: AccessPolicy
    let method: IntrospectedMethod
    let call: MemberCall

    var stageTimeout: Duration { call.stageTimeout }

    private func label(_ argument: IntrospectedArgument, index: Int) -> String {
        argument.name ?? "Argument \(index + 1)"
    }

    func start(_ context: CommandContext) async throws -> CommandStep {
        // A method without arguments runs at once: a button in the command list.
        guard !method.inputs.isEmpty else { return .complete(await run([])) }
        let fields = method.inputs.enumerated().map { index, argument in
            ArgumentForm.field(variable: "arg\(index)", label: label(argument, index: index), type: argument.type)
        }
        let form = DataForm(.form, title: name, instructions: ["\(call.target.interface).\(method.name) on \(call.target.service)"], fields: fields)
        return .ask(CommandStage(id: "arguments", form: form, isFinal: true))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        var arguments: [DBusValue] = []
        for (index, argument) in method.inputs.enumerated() {
            do {
                arguments.append(try ArgumentForm.value(of: "arg\(index)", label: label(argument, index: index), type: argument.type, in: values))
            } catch {
                return .complete(.failure("\(error.description). Nothing was called; run the command again with a corrected value."))
            }
        }
        return .complete(await run(arguments))
    }

    private func run(_ arguments: [DBusValue]) async -> CommandOutcome {
        do {
            let connection = try call.handle.require()
            let reply = try await connection.call(
                destination: call.target.service, path: call.target.path, interface: call.target.interface, member: method.name,
                arguments: arguments, timeout: call.timeout)
            guard !reply.isEmpty else { return .note("\(method.name): done.") }
            let labels = method.outputs.enumerated().map { $0.element.name ?? "Result \($0.offset + 1)" }
            return .form(ArgumentForm.result(title: name, labels: labels, values: reply))
        } catch {
            return .failure(BridgeMessages.failure(of: method.name, error))
        }
    }
}

enum BridgeMessages {
    /// A D-Bus failure in words for the requester, keeping the error name for those who know it.
    static func failure(of member: String, _ error: DBusError) -> String {
        switch error {
        case .remote(let name, let message) where name == DBusError.serviceUnknown || name == DBusError.nameHasNoOwner:
            "\(member) failed: the service is not running (\(message.isEmpty ? name : message))."
        case .remote(let name, let message):
            "\(member) failed: \(name)" + (message.isEmpty ? "" : ": \(message)")
        case .invalidArgument(let reason):
            "\(member) was not called: \(reason)."
        default:
            "\(member) failed: \(error)."
        }
    }
}
