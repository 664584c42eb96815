import Glibc

/// Which bus to connect to: the user's session bus, the system bus, or an explicit address.
public enum DBusBusAddress: Sendable, Equatable, CustomStringConvertible {
    case session
    case system
    /// A D-Bus address such as `unix:path=/run/user/1000/bus`.
    case address(String)

    /// Reads config's `bus` value: `session`, `system`, or an address (anything with a colon).
    public init?(configValue: String) {
        switch configValue {
        case "session": self = .session
        case "system": self = .system
        default:
            guard configValue.contains(":") else { return nil }
            self = .address(configValue)
        }
    }

    /// The value `init(configValue:)` reads, as the configuration and `--bus` spell it.
    public var configValue: String {
        switch self {
        case .session: "session"
        case .system: "system"
        case .address(let address): address
        }
    }

    /// The address to open, following the specification's environment variables and defaults.
    public func resolve(environment: (String) -> String? = Self.processEnvironment) throws(DBusError) -> String {
        switch self {
        case .address(let address):
            return address
        case .system:
            return environment("DBUS_SYSTEM_BUS_ADDRESS") ?? "unix:path=/var/run/dbus/system_bus_socket"
        case .session:
            if let address = environment("DBUS_SESSION_BUS_ADDRESS"), !address.isEmpty { return address }
            if let runtime = environment("XDG_RUNTIME_DIR"), access(runtime + "/bus", F_OK) == 0 {
                return "unix:path=\(runtime)/bus"
            }
            throw .connectionFailed("no session bus: DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist")
        }
    }

    public static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    public var description: String {
        switch self {
        case .session: "session bus"
        case .system: "system bus"
        case .address(let address): address
        }
    }
}
