import DBus
import Synchronization

/// The current connection to one bus, shared by the commands built from it. Commands outlive
/// connections (a bus restart), so they ask for the connection at each call.
final class BusHandle: Sendable {
    let bus: DBusBusAddress
    private let current = Mutex<DBusConnection?>(nil)

    init(bus: DBusBusAddress) {
        self.bus = bus
    }

    var connection: DBusConnection? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    func require() throws(DBusError) -> DBusConnection {
        guard let connection else { throw .disconnected }
        return connection
    }
}

/// One object of one service: where a generated command sends its calls.
struct DBusTarget: Sendable, Equatable {
    let service: String
    let path: String
    let interface: String
}
