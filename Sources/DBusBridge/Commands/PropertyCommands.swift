import Commands
import DBus
import XMPPCore

/// Reads the exposed properties of one interface as a result form.
struct ReadPropertiesCommand: Command {
    let node: String
    let name: String
    let policy: AccessPolicy
    let target: DBusTarget
    let properties: [IntrospectedProperty]
    let handle: BusHandle
    let callTimeout: Duration

    var stageTimeout: Duration { callTimeout + .seconds(5) }

    func start(_ context: CommandContext) async throws -> CommandStep {
        do {
            let connection = try handle.require()
            let all = try await connection.properties(destination: target.service, path: target.path, interface: target.interface, timeout: callTimeout)
            let fields = properties.compactMap { property -> FormField? in
                guard let value = all[property.name] else { return nil }
                return ArgumentForm.displayField(variable: property.name, label: property.name, value: value)
            }
            guard !fields.isEmpty else { return .complete(.note("The service reported none of these properties.", severity: .warn)) }
            return .complete(.form(DataForm(.result, title: name, fields: fields)))
        } catch {
            return .complete(.failure(BridgeMessages.failure(of: "Reading properties", error)))
        }
    }
}

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
