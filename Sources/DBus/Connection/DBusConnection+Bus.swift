/// Calls on the bus itself and the standard interfaces every object has.
extension DBusConnection {
    /// Every name on the bus, unique and well-known.
    public func listNames() async throws(DBusError) -> [String] {
        let reply = try await call(destination: Self.busName, path: Self.busPath, interface: Self.busName, member: "ListNames")
        return reply.first?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The unique name owning `name`, or nil when nobody does.
    public func nameOwner(of name: String) async throws(DBusError) -> String? {
        do {
            let reply = try await call(destination: Self.busName, path: Self.busPath, interface: Self.busName, member: "GetNameOwner", arguments: [.string(name)])
            return reply.first?.stringValue
        } catch .remote(let errorName, _) where errorName == DBusError.nameHasNoOwner {
            return nil
        }
    }

    /// The introspection XML of one object.
    public func introspectXML(destination: String, path: String) async throws(DBusError) -> String {
        let reply = try await call(destination: destination, path: path, interface: "org.freedesktop.DBus.Introspectable", member: "Introspect")
        guard let xml = reply.first?.stringValue else { throw .unexpectedReply("Introspect returned no text") }
        return xml
    }

    public func property(destination: String, path: String, interface: String, name: String, timeout: Duration? = nil) async throws(DBusError) -> DBusValue {
        let reply = try await call(
            destination: destination, path: path, interface: Self.propertiesInterface, member: "Get",
            arguments: [.string(interface), .string(name)], timeout: timeout)
        guard let value = reply.first else { throw .unexpectedReply("Get returned nothing") }
        return value.unwrapped
    }

    public func properties(destination: String, path: String, interface: String, timeout: Duration? = nil) async throws(DBusError) -> [String: DBusValue] {
        let reply = try await call(
            destination: destination, path: path, interface: Self.propertiesInterface, member: "GetAll",
            arguments: [.string(interface)], timeout: timeout)
        guard let map = reply.first?.stringKeyedValue else { throw .unexpectedReply("GetAll did not return a{sv}") }
        return map.mapValues(\.unwrapped)
    }

    public func setProperty(destination: String, path: String, interface: String, name: String, value: DBusValue, timeout: Duration? = nil) async throws(DBusError) {
        _ = try await call(
            destination: destination, path: path, interface: Self.propertiesInterface, member: "Set",
            arguments: [.string(interface), .string(name), .variant(value)], timeout: timeout)
    }

    static let propertiesInterface = "org.freedesktop.DBus.Properties"
}
