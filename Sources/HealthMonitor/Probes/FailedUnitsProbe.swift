import DBus
import Synchronization

/// Failed systemd units, asked of `org.freedesktop.systemd1` over the system bus.
///
/// Where there is no system bus or no systemd on it (a container, another init), the probe is
/// `unavailable`: left out of the status, never a warning. The connection is opened on first
/// use, kept between rounds, and opened again after the bus went away.
public final class FailedUnitsProbe: HealthProbe {
    public let kind = ProbeKind.failedUnits
    public let bus: DBusBusAddress
    private let connection = Mutex<DBusConnection?>(nil)

    static let service = "org.freedesktop.systemd1"
    static let path = "/org/freedesktop/systemd1"
    static let manager = "org.freedesktop.systemd1.Manager"

    public init(bus: DBusBusAddress = .system) {
        self.bus = bus
    }

    public func read(within limit: Duration) async -> ProbeOutcome {
        let current: DBusConnection
        do {
            current = try await connected(timeout: limit)
        } catch {
            return .unavailable("no system bus: \(error)")
        }
        do {
            return .reading(.failedUnits(try await failedUnits(on: current, timeout: limit)))
        } catch {
            switch error {
            case .remote(let name, _) where name == DBusError.serviceUnknown || name == DBusError.nameHasNoOwner:
                return .unavailable("systemd is not on the bus")
            case .timedOut:
                return .timedOut
            case .disconnected:
                drop(current)
                return .failed("the system bus went away")
            default:
                return .failed("\(error)")
            }
        }
    }

    public func close() {
        connection.withLock { current in
            current?.close()
            current = nil
        }
    }

    /// `ListUnitsFiltered(["failed"])` (systemd 230+), else every unit from `ListUnits`
    /// filtered by active state. Both return `a(ssssssouso)`: name first, active state fourth.
    private func failedUnits(on connection: DBusConnection, timeout: Duration) async throws(DBusError) -> [String] {
        let units: [DBusValue]
        do {
            let reply = try await connection.call(
                destination: Self.service, path: Self.path, interface: Self.manager, member: "ListUnitsFiltered",
                arguments: [.array(element: .string, [.string("failed")])], timeout: timeout)
            units = reply.first?.arrayValue ?? []
        } catch .remote(let name, _) where name == DBusError.unknownMethod {
            let reply = try await connection.call(
                destination: Self.service, path: Self.path, interface: Self.manager, member: "ListUnits", timeout: timeout)
            units = (reply.first?.arrayValue ?? []).filter { Self.fields(of: $0).count > 3 && Self.fields(of: $0)[3] == "failed" }
        }
        return units.compactMap { Self.fields(of: $0).first }.sorted()
    }

    private static func fields(of unit: DBusValue) -> [String] {
        guard case .structure(let members) = unit.unwrapped else { return [] }
        return members.map { $0.stringValue ?? "" }
    }

    private func connected(timeout: Duration) async throws(DBusError) -> DBusConnection {
        if let current = connection.withLock({ $0 }) { return current }
        let fresh = try await DBusConnection.connect(to: bus, defaultTimeout: timeout)
        connection.withLock { $0 = fresh }
        return fresh
    }

    private func drop(_ stale: DBusConnection) {
        connection.withLock { current in
            if current === stale { current = nil }
        }
        stale.close()
    }
}
