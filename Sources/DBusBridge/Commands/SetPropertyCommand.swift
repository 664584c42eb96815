import Commands
import DBus
import XMPPCore

/// Sets one writable property: a form pre-filled with the current value, typed by its signature.
struct SetPropertyCommand: Command {
    let node: String
    let name: String
    let policy: AccessPolicy
    let property: IntrospectedProperty
    let call: MemberCall

    var stageTimeout: Duration { call.stageTimeout }

    func start(_ context: CommandContext) async throws -> CommandStep {
        var current: DBusValue?
        if property.access.isReadable, let connection = call.handle.connection {
            current = try? await connection.property(
                destination: call.target.service, path: call.target.path, interface: call.target.interface, name: property.name, timeout: call.timeout)
        }
        let field = ArgumentForm.field(variable: "value", label: property.name, type: property.type, current: current)
        let form = DataForm(.form, title: name, instructions: ["Set \(property.name) on \(call.target.service)"], fields: [field])
        return .ask(CommandStage(id: "value", form: form, isFinal: true))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        let value: DBusValue
        do {
            value = try ArgumentForm.value(of: "value", label: property.name, type: property.type, in: values)
        } catch {
            return .complete(.failure("\(error.description). \(property.name) was not changed."))
        }
        do {
            let connection = try call.handle.require()
            try await connection.setProperty(
                destination: call.target.service, path: call.target.path, interface: call.target.interface, name: property.name, value: value, timeout: call.timeout)
            return .complete(.note("\(property.name) set to \(DBusValueText.display(value))."))
        } catch {
            return .complete(.failure(BridgeMessages.failure(of: "Setting \(property.name)", error)))
        }
    }
}
