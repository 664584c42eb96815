import Commands
import DBus
import XMPPCore

/// Reads the exposed properties of one interface as a result form.
struct ReadPropertiesCommand: Command {
    let node: String
    let name: String
    let policy: AccessPolicy
    let properties: [IntrospectedProperty]
    let call: MemberCall

    var stageTimeout: Duration { call.stageTimeout }

    func start(_ context: CommandContext) async throws -> CommandStep {
        do {
            let connection = try call.handle.require()
            let all = try await connection.properties(destination: call.target.service, path: call.target.path, interface: call.target.interface, timeout: call.timeout)
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
