/// The node of a command made from introspection: `dbus/SERVICE[PATH]/INTERFACE.METHOD`,
/// `dbus/SERVICE[PATH]/INTERFACE/properties` or `dbus/SERVICE[PATH]/INTERFACE.PROPERTY/set`
/// (PATH left out for `/`). The command builder writes it; `adhocd check`, which cannot
/// introspect, reads it back to tell which block could offer a node a chat alias names.
public struct DBusCommandNode: Sendable, Equatable, CustomStringConvertible {
    public enum Member: Sendable, Equatable {
        case method(String)
        /// Reads every exposed readable property of the interface.
        case properties
        case setProperty(String)
    }

    public var service: String
    public var path: String
    public var interface: String
    public var member: Member

    public init(service: String, path: String, interface: String, member: Member) {
        self.service = service
        self.path = path
        self.interface = interface
        self.member = member
    }

    /// Nil for a text no block could have made (another prefix, an empty part, no member).
    public init?(parsing node: String) {
        var parts = node.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "dbus", !parts.contains(where: \.isEmpty) else { return nil }
        let last = parts.removeLast()
        switch last {
        case "properties":
            interface = parts.removeLast()
            member = .properties
        case "set":
            guard let (interface, name) = Self.splitMember(parts.removeLast()) else { return nil }
            self.interface = interface
            member = .setProperty(name)
        default:
            guard let (interface, name) = Self.splitMember(last) else { return nil }
            self.interface = interface
            member = .method(name)
        }
        guard parts.count >= 2 else { return nil }
        service = parts[1]
        path = "/" + parts.dropFirst(2).joined(separator: "/")
    }

    public var description: String {
        let base = "dbus/\(service)\(path == "/" ? "" : path)/\(interface)"
        switch member {
        case .method(let name): return "\(base).\(name)"
        case .properties: return "\(base)/properties"
        case .setProperty(let name): return "\(base).\(name)/set"
        }
    }

    /// `org.example.Player.Pause` → (`org.example.Player`, `Pause`).
    private static func splitMember(_ text: String) -> (String, String)? {
        guard let dot = text.lastIndex(of: "."), dot != text.startIndex, text.index(after: dot) != text.endIndex else { return nil }
        return (String(text[..<dot]), String(text[text.index(after: dot)...]))
    }
}

extension DBusBlock {
    /// Whether introspecting a service could give this block a command at `node`: its service,
    /// path, interface and member pass the block's lists. Only the live service says whether it
    /// has that member.
    public func mayOffer(_ node: DBusCommandNode) -> Bool {
        guard preset == .none, service.matches(node.service), paths.isEmpty || paths.contains(node.path),
              !CommandBuilder.standardInterfaces.contains(node.interface), interfaces.matchesAny(node.interface)
        else { return false }
        switch node.member {
        case .method(let name): return !methods.isEmpty && methods.matchesAny(name)
        case .properties: return !properties.isEmpty
        case .setProperty(let name): return !properties.isEmpty && properties.matchesAny(name)
        }
    }
}
