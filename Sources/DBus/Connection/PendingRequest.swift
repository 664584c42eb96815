import CDBus

/// One method call waiting for its reply. Lives on the dispatcher thread; the Swift task
/// waiting for it is resumed exactly once: by the reply, by cancellation, or by the
/// connection closing.
final class PendingRequest: @unchecked Sendable {
    typealias Completion = CheckedContinuation<Result<[DBusValue], DBusError>, Never>

    let member: String
    let timeout: Duration
    private var continuation: Completion?
    private var pending: OpaquePointer?
    private var cancelled = false
    private var started = ContinuousClock.now

    init(member: String, timeout: Duration) {
        self.member = member
        self.timeout = timeout
    }

    /// Sends `message` (consuming the reference) and arranges for the reply to resume the task.
    func begin(_ continuation: Completion, message: OpaquePointer, on core: ConnectionCore) {
        self.continuation = continuation
        defer { dbus_message_unref(message) }
        guard !cancelled else { return finish(.failure(.cancelled), core: core) }
        guard let connection = core.connection, core.isConnected else { return finish(.failure(.disconnected), core: core) }
        var call: OpaquePointer?
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        started = .now
        guard dbus_connection_send_with_reply(connection, message, &call, milliseconds) != 0 else {
            return finish(.failure(.outOfMemory), core: core)
        }
        // libdbus gives no pending call when the connection is already closed.
        guard let call else { return finish(.failure(.disconnected), core: core) }
        pending = call
        core.requests[ObjectIdentifier(self)] = self
        let context = Unmanaged.passRetained(self).toOpaque()
        let installed = dbus_pending_call_set_notify(
            call,
            { _, data in
                guard let data else { return }
                let request = Unmanaged<PendingRequest>.fromOpaque(data).takeUnretainedValue()
                request.replyArrived()
            },
            context,
            { data in
                guard let data else { return }
                Unmanaged<PendingRequest>.fromOpaque(data).release()
            })
        guard installed != 0 else {
            Unmanaged<PendingRequest>.fromOpaque(context).release()
            return finish(.failure(.outOfMemory), core: core)
        }
        weakCore = core
        if dbus_pending_call_get_completed(call) != 0 { replyArrived() }
    }

    private weak var weakCore: ConnectionCore?

    private func replyArrived() {
        guard let call = pending, let core = weakCore else { return }
        guard let reply = dbus_pending_call_steal_reply(call) else {
            return finish(.failure(.disconnected), core: core)
        }
        defer { dbus_message_unref(reply) }
        if dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR {
            finish(.failure(error(from: reply, core: core)), core: core)
        } else {
            do {
                finish(.success(try MessageDecoder.arguments(of: reply)), core: core)
            } catch {
                finish(.failure(error), core: core)
            }
        }
    }

    private func error(from reply: OpaquePointer, core: ConnectionCore) -> DBusError {
        let name = dbus_message_get_error_name(reply).map { String(cString: $0) } ?? "org.freedesktop.DBus.Error.Failed"
        let arguments = (try? MessageDecoder.arguments(of: reply)) ?? []
        let text = arguments.first?.stringValue ?? ""
        guard name == DBusError.noReply else { return .remote(name: name, message: text) }
        // libdbus uses NoReply for a timeout, a peer that quit and a lost bus alike.
        if !core.isConnected { return .disconnected }
        let elapsed = started.duration(to: .now)
        if elapsed >= timeout * 0.9 {
            return .timedOut(member: member, seconds: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        }
        return .serviceVanished(member: member)
    }

    /// The caller gave up: stop waiting for the reply.
    func cancel(core: ConnectionCore) {
        cancelled = true
        if continuation != nil { finish(.failure(.cancelled), core: core) }
    }

    func finish(_ result: Result<[DBusValue], DBusError>, core: ConnectionCore) {
        if let call = pending {
            pending = nil
            if dbus_pending_call_get_completed(call) == 0 { dbus_pending_call_cancel(call) }
            dbus_pending_call_unref(call)
        }
        core.requests[ObjectIdentifier(self)] = nil
        continuation?.resume(returning: result)
        continuation = nil
    }
}
