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
