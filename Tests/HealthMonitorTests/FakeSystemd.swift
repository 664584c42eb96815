import CDBus
import Foundation
import Synchronization
@testable import DBus

/// A stand-in for systemd's manager on a private bus: owns `org.freedesktop.systemd1` and
/// answers `ListUnitsFiltered` (or, playing an old systemd, only `ListUnits`) from a fixed
/// table. Raw libdbus on a thread of its own; `stop()` releases the name and the connection.
final class FakeSystemd: Sendable {
    struct Unit: Sendable {
        var name: String
        var activeState: String
    }

    private let units: [Unit]
    private let supportsFiltering: Bool
    private let running = Atomic<Bool>(true)
    private let finished = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let done = Atomic<Bool>(false)

    private struct Handle: @unchecked Sendable { let connection: OpaquePointer }
    private let handle: Handle

    init(address: String, units: [Unit], supportsFiltering: Bool = true) throws {
        self.units = units
        self.supportsFiltering = supportsFiltering
        dbus_threads_init_default()
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        defer { dbus_error_free(&error) }
        guard let connection = dbus_connection_open_private(address, &error) else { throw FakeSystemdError("open: \(Self.message(error))") }
        dbus_connection_set_exit_on_disconnect(connection, 0)
        guard dbus_bus_register(connection, &error) != 0 else { throw FakeSystemdError("register: \(Self.message(error))") }
        let owned = dbus_bus_request_name(connection, "org.freedesktop.systemd1", UInt32(DBUS_NAME_FLAG_DO_NOT_QUEUE), &error)
        guard owned == DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER else { throw FakeSystemdError("request name: \(owned) \(Self.message(error))") }
        handle = Handle(connection: connection)
        Thread.detachNewThread { [self] in serve() }
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        while !done.load(ordering: .relaxed) { usleep(10_000) }
    }

    private func serve() {
        let connection = handle.connection
        while running.load(ordering: .relaxed), dbus_connection_read_write(connection, 50) != 0 {
            while let message = dbus_connection_pop_message(connection) {
                answer(message, on: connection)
                dbus_message_unref(message)
            }
        }
        dbus_connection_close(connection)
        dbus_connection_unref(connection)
        done.store(true, ordering: .relaxed)
    }

    private func answer(_ message: OpaquePointer, on connection: OpaquePointer) {
        guard dbus_message_get_type(message) == DBUS_MESSAGE_TYPE_METHOD_CALL else { return }
        let member = dbus_message_get_member(message).map { String(cString: $0) } ?? ""
        let reply: OpaquePointer?
        switch member {
        case "ListUnitsFiltered" where supportsFiltering:
            reply = unitList(units.filter { $0.activeState == "failed" }, replyingTo: message)
        case "ListUnits":
            reply = unitList(units, replyingTo: message)
        default:
            reply = dbus_message_new_error(message, "org.freedesktop.DBus.Error.UnknownMethod", "no method \(member)")
        }
        guard let reply else { return }
        dbus_connection_send(connection, reply, nil)
        dbus_connection_flush(connection)
        dbus_message_unref(reply)
    }

    /// `a(ssssssouso)`: name, description, load state, active state, sub state, following,
    /// object path, job id, job type, job path.
    private func unitList(_ units: [Unit], replyingTo message: OpaquePointer) -> OpaquePointer? {
        guard let reply = dbus_message_new_method_return(message) else { return nil }
        let types: [DBusType] = [.string, .string, .string, .string, .string, .string, .objectPath, .uint32, .string, .objectPath]
        let values = units.map { unit in
            DBusValue.structure([
                .string(unit.name), .string("a unit"), .string("loaded"), .string(unit.activeState), .string(unit.activeState),
                .string(""), .objectPath("/org/freedesktop/systemd1/unit/x"), .uint32(0), .string(""), .objectPath("/"),
            ])
        }
        try? MessageEncoder.append([.array(element: .structure(types), values)], to: reply)
        return reply
    }

    private static func message(_ error: CDBus.DBusError) -> String {
        error.message.map { String(cString: $0) } ?? "unknown error"
    }
}

struct FakeSystemdError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
