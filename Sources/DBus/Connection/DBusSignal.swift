/// A signal received from the bus.
public struct DBusSignal: Sendable, Equatable {
    /// The sender's unique name (`:1.42`), or `org.freedesktop.DBus` for the bus itself.
    public let sender: String
    public let path: String
    public let interface: String
    public let member: String
    public let arguments: [DBusValue]

    public init(sender: String, path: String, interface: String, member: String, arguments: [DBusValue]) {
        self.sender = sender
        self.path = path
        self.interface = interface
        self.member = member
        self.arguments = arguments
    }
}

/// Which signals a subscription wants: turned into a bus match rule and checked locally too.
public struct DBusSignalMatch: Sendable, Equatable {
    public var sender: String?
    public var path: String?
    public var interface: String?
    public var member: String?

    public init(sender: String? = nil, path: String? = nil, interface: String? = nil, member: String? = nil) {
        self.sender = sender
        self.path = path
        self.interface = interface
        self.member = member
    }

    /// The rule for `org.freedesktop.DBus.AddMatch`. Values were validated as names or paths,
    /// which cannot contain quotes.
    public var rule: String {
        var parts = ["type='signal'"]
        if let sender { parts.append("sender='\(sender)'") }
        if let path { parts.append("path='\(path)'") }
        if let interface { parts.append("interface='\(interface)'") }
        if let member { parts.append("member='\(member)'") }
        return parts.joined(separator: ",")
    }

    func validate() throws(DBusError) {
        do {
            if let sender { try DBusNames.validateBusName(sender) }
            if let path { try DBusNames.validateObjectPath(path) }
            if let interface { try DBusNames.validateInterfaceName(interface) }
            if let member { try DBusNames.validateMemberName(member) }
        } catch {
            throw .invalidArgument(error.description)
        }
    }

    /// Well-known sender names can't be checked locally (signals carry unique names); the bus
    /// applies them.
    func matches(_ signal: DBusSignal) -> Bool {
        if let sender, sender.hasPrefix(":") || sender == "org.freedesktop.DBus", sender != signal.sender { return false }
        if let path, path != signal.path { return false }
        if let interface, interface != signal.interface { return false }
        if let member, member != signal.member { return false }
        return true
    }
}

/// A bus name got, changed or lost its owner (`NameOwnerChanged`).
public struct DBusNameOwnerChange: Sendable, Equatable {
    public let name: String
    /// Empty when the name had no owner before.
    public let oldOwner: String
    /// Empty when the name has no owner now.
    public let newOwner: String

    public var appeared: Bool { oldOwner.isEmpty && !newOwner.isEmpty }
    public var vanished: Bool { !oldOwner.isEmpty && newOwner.isEmpty }
}
