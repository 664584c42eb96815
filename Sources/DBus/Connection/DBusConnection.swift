import CDBus
import Logging
import Synchronization

/// An asynchronous connection to a message bus.
///
/// Calls never block a thread of the caller: each is sent with `dbus_connection_send_with_reply`
/// and its reply (or libdbus's timeout error) resumes the awaiting task from the connection's
/// dispatcher thread. A private connection, so closing it affects nobody else in the process,
/// and libdbus's exit-on-disconnect is switched off: a bus that goes away ends this connection,
/// never the daemon.
public final class DBusConnection: Sendable {
    public let bus: DBusBusAddress
    /// Our unique name on the bus (`:1.42`).
    public let uniqueName: String
    public let defaultTimeout: Duration

    private let dispatcher: BusDispatcher
    private let core: ConnectionCore
    private let nextSubscription = Mutex(0)
    private let logger: Logger

    public static let defaultCallTimeout: Duration = .seconds(25)

    private init(bus: DBusBusAddress, uniqueName: String, defaultTimeout: Duration, dispatcher: BusDispatcher, core: ConnectionCore, logger: Logger) {
        self.bus = bus
        self.uniqueName = uniqueName
        self.defaultTimeout = defaultTimeout
        self.dispatcher = dispatcher
        self.core = core
        self.logger = logger
    }

    /// libdbus must know about threads before it is used at all.
    private static let threadsInitialised: Bool = dbus_threads_init_default() != 0

    /// Connects and registers with the bus (`Hello`).
    public static func connect(
        to bus: DBusBusAddress, defaultTimeout: Duration = defaultCallTimeout, logger: Logger = Logger(label: "adhocd.dbus")
    ) async throws(DBusError) -> DBusConnection {
        guard threadsInitialised else { throw .connectionFailed("libdbus could not initialise thread support") }
        let address = try bus.resolve()
        let dispatcher = try BusDispatcher()
        let core = ConnectionCore()
        try dispatcher.start()
        let opened: Result<Void, DBusError> = await withCheckedContinuation { continuation in
            dispatcher.submit { dispatcher in
                continuation.resume(returning: Self.open(address, dispatcher: dispatcher, core: core))
            }
        }
        if case .failure(let error) = opened {
            dispatcher.submit { $0.stop() }
            throw error
        }
        do throws(DBusError) {
            let hello = try makeCall(destination: busName, path: busPath, interface: busName, member: "Hello", arguments: [])
            let reply = try await send(hello, member: "Hello", timeout: defaultTimeout, dispatcher: dispatcher, core: core)
            guard let name = reply.first?.stringValue else { throw .unexpectedReply("Hello returned no name") }
            dispatcher.submit { _ in
                if let connection = core.connection { _ = name.withCString { dbus_bus_set_unique_name(connection, $0) } }
            }
            logger.debug("connected to D-Bus", metadata: ["bus": "\(bus)", "name": "\(name)"])
            return DBusConnection(bus: bus, uniqueName: name, defaultTimeout: defaultTimeout, dispatcher: dispatcher, core: core, logger: logger)
        } catch {
            dispatcher.submit { dispatcher in
                Self.closeConnection(core: core, dispatcher: dispatcher)
                dispatcher.stop()
            }
            throw error
        }
    }

    /// Opens the socket on the dispatcher thread and hooks the connection into its loop.
    private static func open(_ address: String, dispatcher: BusDispatcher, core: ConnectionCore) -> Result<Void, DBusError> {
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        guard let connection = dbus_connection_open_private(address, &error) else {
            let reason = error.message.map { String(cString: $0) } ?? "unknown error"
            dbus_error_free(&error)
            return .failure(.connectionFailed("\(address): \(reason)"))
        }
        dbus_connection_set_exit_on_disconnect(connection, 0)
        core.connection = connection
        dispatcher.onMessage = { core.handle($0) }
        guard dispatcher.integrate(connection) else {
            dbus_connection_close(connection)
            dbus_connection_unref(connection)
            core.connection = nil
            return .failure(.outOfMemory)
        }
        return .success(())
    }

    // MARK: Calls

    /// Calls a method and returns its out-arguments.
    public func call(
        destination: String, path: String, interface: String?, member: String,
        arguments: [DBusValue] = [], timeout: Duration? = nil
    ) async throws(DBusError) -> [DBusValue] {
        let message = try Self.makeCall(destination: destination, path: path, interface: interface, member: member, arguments: arguments)
        return try await Self.send(message, member: member, timeout: timeout ?? defaultTimeout, dispatcher: dispatcher, core: core)
    }

    /// A method-call message, with every name and value checked before libdbus sees it.
    private static func makeCall(
        destination: String, path: String, interface: String?, member: String, arguments: [DBusValue]
    ) throws(DBusError) -> OutgoingMessage {
        do {
            try DBusNames.validateBusName(destination)
            try DBusNames.validateObjectPath(path)
            if let interface { try DBusNames.validateInterfaceName(interface) }
            try DBusNames.validateMemberName(member)
        } catch {
            throw .invalidArgument(error.description)
        }
        for argument in arguments { try MessageEncoder.validate(argument) }
        guard let message = dbus_message_new_method_call(destination, path, interface, member) else { throw .outOfMemory }
        // A call must never start a service that is not running.
        dbus_message_set_auto_start(message, 0)
        do {
            try MessageEncoder.append(arguments, to: message)
        } catch {
            dbus_message_unref(message)
            throw error
        }
        return OutgoingMessage(message)
    }

    private static func send(
        _ message: OutgoingMessage, member: String, timeout: Duration, dispatcher: BusDispatcher, core: ConnectionCore
    ) async throws(DBusError) -> [DBusValue] {
        let request = PendingRequest(member: member, timeout: timeout)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                dispatcher.submit { _ in request.begin(continuation, message: message.pointer, on: core) }
            }
        } onCancel: {
            dispatcher.submit { _ in request.cancel(core: core) }
        }
        return try result.get()
    }

    // MARK: Signals

    /// Signals matching `match`, until the stream is dropped or the connection ends.
    public func signals(matching match: DBusSignalMatch) async throws(DBusError) -> AsyncStream<DBusSignal> {
        try match.validate()
        let (stream, continuation) = AsyncStream.makeStream(of: DBusSignal.self, bufferingPolicy: .bufferingNewest(1024))
        let id = nextSubscription.withLock { counter in
            counter += 1
            return counter
        }
        let core = core
        // Registered before AddMatch so no signal after the rule takes effect is lost.
        dispatcher.submit { _ in
            if core.isConnected {
                core.subscriptions[id] = ConnectionCore.Subscription(match: match, continuation: continuation)
            } else {
                continuation.finish()
            }
        }
        let rule = match.rule
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.dispatcher.submit { _ in core.subscriptions[id] = nil }
            self.sendWithoutReply(member: "RemoveMatch", argument: rule)
        }
        _ = try await call(destination: Self.busName, path: Self.busPath, interface: Self.busName, member: "AddMatch", arguments: [.string(rule)])
        return stream
    }

    /// Bus names gaining or losing owners.
    public func nameOwnerChanges() async throws(DBusError) -> AsyncStream<DBusNameOwnerChange> {
        let signals = try await signals(matching: DBusSignalMatch(
            sender: Self.busName, path: Self.busPath, interface: Self.busName, member: "NameOwnerChanged"))
        return AsyncStream(DBusNameOwnerChange.self, bufferingPolicy: .bufferingNewest(1024)) { continuation in
            let task = Task {
                for await signal in signals {
                    let texts = signal.arguments.compactMap(\.stringValue)
                    guard texts.count == 3 else { continue }
                    continuation.yield(DBusNameOwnerChange(name: texts[0], oldOwner: texts[1], newOwner: texts[2]))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A call to the bus whose answer nobody waits for (RemoveMatch when a stream ends).
    private func sendWithoutReply(member: String, argument: String) {
        let core = core
        dispatcher.submit { _ in
            guard let connection = core.connection, core.isConnected,
                  let message = dbus_message_new_method_call(Self.busName, Self.busPath, Self.busName, member) else { return }
            defer { dbus_message_unref(message) }
            dbus_message_set_no_reply(message, 1)
            _ = try? MessageEncoder.append([.string(argument)], to: message)
            _ = dbus_connection_send(connection, message, nil)
        }
    }

    // MARK: Life cycle

    public var isConnected: Bool {
        get async {
            let core = core
            return await withCheckedContinuation { continuation in
                dispatcher.submit { _ in continuation.resume(returning: core.isConnected) }
            }
        }
    }

    /// Returns when the connection has ended, by `close()` or because the bus went away.
    public func waitUntilDisconnected() async {
        let core = core
        await withCheckedContinuation { continuation in
            dispatcher.submit { _ in
                if core.isConnected {
                    core.disconnectionWaiters.append(continuation)
                } else {
                    core.connectionEnded()
                    continuation.resume()
                }
            }
        }
    }

    /// Closes the connection: waiting calls fail with `.disconnected`, signal streams end.
    /// The dispatcher thread lives on until this object is released, answering late callers.
    public func close() {
        let core = core
        dispatcher.submit { dispatcher in Self.closeConnection(core: core, dispatcher: dispatcher) }
    }

    deinit {
        let core = core
        dispatcher.submit { dispatcher in
            Self.closeConnection(core: core, dispatcher: dispatcher)
            dispatcher.stop()
        }
    }

    private static func closeConnection(core: ConnectionCore, dispatcher: BusDispatcher) {
        core.connectionEnded()
        if let connection = core.connection {
            core.connection = nil
            dispatcher.connection = nil
            dbus_connection_close(connection)
            dbus_connection_unref(connection)
        }
    }

    static let busName = "org.freedesktop.DBus"
    static let busPath = "/org/freedesktop/DBus"
}

/// A message handed to the dispatcher thread, which then owns it.
struct OutgoingMessage: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
