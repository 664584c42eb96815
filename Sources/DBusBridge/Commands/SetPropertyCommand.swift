import Commands
import DBus
import XMPPCore

/// Sets one writable property: a form pre-filled with the current value, typed by its signature.
struct SetPropertyCommand: Command {
    let node: String
    let name: String
    let policy: AccessPolicy
    let target: DBusTarget
    let property: IntrospectedProperty
    let handle: BusHandle
    let callTimeout: Duration

    var stageTimeout: Duration { callTimeout + .seconds(5) }

    func start(_ context: CommandContext) async throws -> CommandStep {
        var current: DBusValue?
        if property.access.isReadable, let connection = handle.connection {
            current = try? await connection.property(
                destination: target.service, path: target.path, interface: target.interface, name: property.name, timeout: callTimeout)
        }
        let field = ArgumentForm.field(variable: "value", label: property.name, type: property.type, current: current)
        let form = DataForm(.form, title: name, instructions: ["Set \(property.name) on \(target.service)"], fields: [field])
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
            let connection = try handle.require()
            try await connection.setProperty(
                destination: target.service, path: target.path, interface: target.interface, name: property.name, value: value, timeout: callTimeout)
            return .complete(.note("\(property.name) set to \(DBusValueText.display(value))."))
        } catch {
            return .complete(.failure(BridgeMessages.failure(of: "Setting \(property.name)", error)))
        }
    }
}
