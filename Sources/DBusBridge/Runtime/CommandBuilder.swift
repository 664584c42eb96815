import Commands
import DBus
import Logging

/// Turns what a service exposes into commands, as one `[[dbus]]` block selects.
struct CommandBuilder: Sendable {
    let block: DBusBlock
    let handle: BusHandle

    /// The most objects walked per service, so a huge tree can't stall discovery.
    static let maximumObjects = 256
    static let maximumDepth = 16
    /// Interfaces every object has; they are plumbing, not commands.
    static let standardInterfaces: Set<String> = [
        "org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable", "org.freedesktop.DBus.Peer",
    ]

    /// Objects of `service` with their interfaces: the configured paths, or a walk from `/`.
    func discover(_ service: String, connection: DBusConnection, logger: Logger) async throws(DBusError) -> [(path: String, node: IntrospectedNode)] {
        var found: [(path: String, node: IntrospectedNode)] = []
        var queue: [(path: String, depth: Int)] = (block.paths.isEmpty ? ["/"] : block.paths).map { ($0, 0) }
        let walk = block.paths.isEmpty
        while !queue.isEmpty, found.count < Self.maximumObjects {
            let (path, depth) = queue.removeFirst()
            let xml: String
            do {
                xml = try await connection.introspectXML(destination: service, path: path)
            } catch .remote(let name, let message) {
                logger.warning("cannot introspect \(service) \(path): \(name) \(message)")
                continue
            }
            let node: IntrospectedNode
            do {
                node = try IntrospectionParser.parse(xml)
            } catch {
                logger.warning("\(service) \(path): \(error)")
                continue
            }
            for warning in node.warnings { logger.notice("\(service) \(path): skipped: \(warning)") }
            found.append((path, node))
            if walk, depth < Self.maximumDepth {
                queue.append(contentsOf: node.children.map { (DBusNames.childPath(path, $0), depth + 1) })
            }
        }
        return found
    }

    /// The commands for one service.
    func commands(for service: String, objects: [(path: String, node: IntrospectedNode)]) -> [any Command] {
        var commands: [any Command] = []
        let prefix = block.service.hasWildcards ? "\(block.label) (\(Self.shortName(service)))" : block.label
        let manyObjects = objects.count > 1
        for (path, node) in objects {
            for interface in node.interfaces where !Self.standardInterfaces.contains(interface.name) && block.interfaces.matchesAny(interface.name) {
                let call = MemberCall(
                    target: DBusTarget(service: service, path: path, interface: interface.name), handle: handle, timeout: block.callTimeout)
                func commandNode(_ member: DBusCommandNode.Member) -> String {
                    DBusCommandNode(service: service, path: path, interface: interface.name, member: member).description
                }
                let place = manyObjects ? " [\(path)]" : ""
                for method in interface.methods where !block.methods.isEmpty && block.methods.matchesAny(method.name) {
                    guard method.inputs.allSatisfy({ DBusValueText.isEditable($0.type) }), !method.outputs.contains(where: { $0.type.containsUnixFD }) else {
                        continue
                    }
                    commands.append(MethodCommand(
                        node: commandNode(.method(method.name)), name: "\(prefix): \(method.name)\(place)", policy: block.policy,
                        method: method, call: call))
                }
                let exposed = interface.properties.filter { !block.properties.isEmpty && block.properties.matchesAny($0.name) && !$0.type.containsUnixFD }
                let readable = exposed.filter(\.access.isReadable)
                if !readable.isEmpty {
                    commands.append(ReadPropertiesCommand(
                        node: commandNode(.properties), name: "\(prefix): \(Self.shortName(interface.name)) properties\(place)",
                        policy: block.policy, properties: readable, call: call))
                }
                for property in exposed where property.access.isWritable && DBusValueText.isEditable(property.type) {
                    commands.append(SetPropertyCommand(
                        node: commandNode(.setProperty(property.name)), name: "\(prefix): set \(property.name)\(place)",
                        policy: block.policy, property: property, call: call))
                }
            }
        }
        return commands
    }

    /// The last element of a dotted name: `mpv` for `org.mpris.MediaPlayer2.mpv`.
    static func shortName(_ name: String) -> String {
        name.split(separator: ".").last.map(String.init) ?? name
    }
}
