import DBus
import Logging
import XMPPCore

/// `adhocd dbus introspect`: the commands and forms a `[[dbus]]` block would generate for a
/// service, so config can be written without guessing.
public enum DBusPreview {
    public static func render(bus: DBusBusAddress, service: String, path: String?, logger: Logger) async throws(DBusError) -> String {
        do {
            try DBusNames.validateBusName(service)
            if let path { try DBusNames.validateObjectPath(path) }
        } catch {
            throw .invalidArgument(error.description)
        }
        let connection = try await DBusConnection.connect(to: bus, logger: logger)
        defer { connection.close() }
        // Said plainly here, rather than as a warning per object the walk could not read.
        guard try await connection.nameOwner(of: service) != nil else {
            throw .remote(name: DBusError.nameHasNoOwner, message: "\(service) is not on the \(bus) bus; `busctl --user list` or `busctl list` shows the names there")
        }
        let block = DBusBlock(label: CommandBuilder.shortName(service), bus: bus, service: Glob(service), paths: path.map { [$0] } ?? [],
                              methods: [Glob("*")], properties: [Glob("*")])
        let handle = BusHandle(bus: bus)
        let builder = CommandBuilder(block: block, handle: handle)
        let objects = try await builder.discover(service, connection: connection, logger: logger)
        guard !objects.isEmpty else { return "\(service) has no objects that could be introspected\(path.map { " at \($0)" } ?? "").\n" }
        var lines: [String] = []
        for (objectPath, node) in objects {
            let interfaces = node.interfaces.filter { !CommandBuilder.standardInterfaces.contains($0.name) }
            guard !interfaces.isEmpty else { continue }
            lines.append("object \(objectPath)")
            for interface in interfaces {
                lines.append("  interface \(interface.name)")
                for method in interface.methods {
                    lines.append("    method \(method.name) → node dbus/\(service)\(objectPath == "/" ? "" : objectPath)/\(interface.name).\(method.name)")
                    if let unsupported = method.inputs.first(where: { !DBusValueText.isEditable($0.type) }) {
                        lines.append("      (not exposed: argument type \(unsupported.type.signature) can't be typed in a form)")
                        continue
                    }
                    for (index, argument) in method.inputs.enumerated() {
                        let field = ArgumentForm.field(variable: "arg\(index)", label: argument.name ?? "Argument \(index + 1)", type: argument.type)
                        lines.append("      field \(describe(field, signature: argument.type.signature))")
                    }
                    if !method.outputs.isEmpty {
                        lines.append("      result " + method.outputs.map { "\($0.name ?? "value"): \($0.type.signature)" }.joined(separator: ", "))
                    }
                }
                for property in interface.properties {
                    lines.append("    property \(property.name): \(property.type.signature) (\(property.access.rawValue))"
                                 + (property.access.isWritable && DBusValueText.isEditable(property.type) ? " → set form: \(describe(ArgumentForm.field(variable: "value", label: property.name, type: property.type), signature: property.type.signature))" : ""))
                }
            }
        }
        lines.append("")
        lines.append("# A block exposing all of it (narrow methods and properties to what you need):")
        lines.append("[[dbus]]")
        lines.append("label = \"\(CommandBuilder.shortName(service))\"")
        lines.append("bus = \"\(bus.configValue)\"")
        lines.append("service = \"\(service)\"")
        if let path { lines.append("paths = [\"\(path)\"]") }
        lines.append("methods = [\"*\"]")
        lines.append("properties = [\"*\"]")
        lines.append("allow = [\"self\"]")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describe(_ field: FormField, signature: String) -> String {
        var text = "\(field.variable ?? "?") \"\(field.label ?? "")\" \(field.effectiveType.rawValue) (D-Bus \(signature))"
        if let validation = field.validation {
            text += " \(validation.datatype.rawValue)"
            if case .range(let minimum, let maximum) = validation.method { text += " \(minimum ?? "")…\(maximum ?? "")" }
        }
        if field.isRequired { text += " required" }
        return text
    }
}
