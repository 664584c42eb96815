import CDBus

/// The state of one bus connection, confined to its dispatcher thread.
final class ConnectionCore: @unchecked Sendable {
    struct Subscription {
        let match: DBusSignalMatch
        let continuation: AsyncStream<DBusSignal>.Continuation
    }

    var connection: OpaquePointer?
    var requests: [ObjectIdentifier: PendingRequest] = [:]
    var subscriptions: [Int: Subscription] = [:]
    var disconnectionWaiters: [CheckedContinuation<Void, Never>] = []
    private(set) var closed = false

    var isConnected: Bool {
        guard !closed, let connection else { return false }
        return dbus_connection_get_is_connected(connection) != 0
    }

    /// Every incoming message passes here before libdbus's default handling.
    func handle(_ message: OpaquePointer) {
        guard dbus_message_get_type(message) == DBUS_MESSAGE_TYPE_SIGNAL else { return }
        let interface = dbus_message_get_interface(message).map { String(cString: $0) } ?? ""
        let member = dbus_message_get_member(message).map { String(cString: $0) } ?? ""
        if interface == "org.freedesktop.DBus.Local", member == "Disconnected" {
            connectionEnded()
            return
        }
        guard !subscriptions.isEmpty, let arguments = try? MessageDecoder.arguments(of: message) else { return }
        let signal = DBusSignal(
            sender: dbus_message_get_sender(message).map { String(cString: $0) } ?? "",
            path: dbus_message_get_path(message).map { String(cString: $0) } ?? "/",
            interface: interface,
            member: member,
            arguments: arguments)
        for subscription in subscriptions.values where subscription.match.matches(signal) {
            subscription.continuation.yield(signal)
        }
    }

    /// The bus went away or we closed: fail what waits, end every stream, wake waiters.
    func connectionEnded() {
        guard !closed else { return }
        closed = true
        for request in Array(requests.values) { request.finish(.failure(.disconnected), core: self) }
        let ended = subscriptions
        subscriptions = [:]
        for subscription in ended.values { subscription.continuation.finish() }
        let waiters = disconnectionWaiters
        disconnectionWaiters = []
        for waiter in waiters { waiter.resume() }
    }
}
