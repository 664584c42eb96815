import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import XMPPCore

/// What the driver tells its owner. Delivered on the driver's event loop, in stream order:
/// handlers must not block (they start tasks for anything slow).
enum SessionNotice: Sendable {
    case established(Establishment, epoch: StreamEpoch, server: ConnectionTarget)
    case stanza(XMLElement, epoch: StreamEpoch)
    case skipped(SkippedStanza, epoch: StreamEpoch)
    case delivery(AnswerDelivery)
    case discarded(String)
    case ended(SessionEnd)
}

/// Runs a `ClientSession` over SwiftNIO: the thin adapter between the state machine and
/// sockets, TLS, timers and the clock.
///
/// Everything happens on one event loop: the machine, its connections and its timers live
/// there, so stanzas are written in the order the machine decides (what XEP-0198 counting
/// needs) and events reach the machine in stream order. Other threads hop onto the loop.
final class SessionDriver: Sendable {
    typealias NoticeHandler = @Sendable (SessionNotice) -> Void

    private struct Connection {
        var id: Int
        var channel: any Channel
        var target: ConnectionTarget
        var parser: XMLStreamHandler
        var handler: SessionChannelHandler
        var ended: EventLoopPromise<SessionEnd>
    }

    /// A class, read and changed in place on the loop: as a struct in the box, every read of
    /// one field copied the machine with its outbox, window and timers (6 % of a ping's
    /// instructions, measured with callgrind).
    private final class State {
        var machine: ClientSession
        var connection: Connection?
        var timers: [SessionTimer: NIOScheduledCallback] = [:]
        var readsPaused = false
        /// Signed off: no connection is taken any more.
        var stopped = false
        var noticeHandler: NoticeHandler?

        init(machine: ClientSession) {
            self.machine = machine
        }
    }

    let eventLoop: any EventLoop
    private let box: NIOLoopBoundBox<State>
    /// The loop's state; only on the loop.
    private var state: State { box.value }
    private let nextConnectionID = Atomic<Int>(0)
    private let tls: TLSSettings
    private let serverName: String
    private let limits: XMLStreamParser.Limits

    init(settings: ClientSession.Settings, tls: TLSSettings, limits: XMLStreamParser.Limits, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.tls = tls
        self.serverName = settings.account.domain
        self.limits = limits
        box = NIOLoopBoundBox.makeBoxSendingValue(State(machine: ClientSession(settings: settings)), eventLoop: eventLoop)
    }

    /// Where notices go; set once, before the first connection.
    ///
    /// Kept in the loop's state, not in a `Mutex<NoticeHandler?>`: reading a closure out of a
    /// generic container through `inout` (`withLock { $0 }`) writes it back wrapped in two more
    /// reabstraction thunks, so every notice made the next one slower (found with the benchmark).
    func setNoticeHandler(_ handler: @escaping NoticeHandler) {
        eventLoop.execute { [self] in state.noticeHandler = handler }
    }

    // MARK: Connections

    /// Connects to `target` and runs one connection of the session on it. Returns how it
    /// ended; throws only when no connection could be made.
    func run(on target: ConnectionTarget, connectTimeout: Duration) async throws(ConnectionError) -> SessionEnd {
        let id = nextConnectionID.wrappingAdd(1, ordering: .relaxed).newValue
        let sslContext: NIOSSLContext?
        do {
            sslContext = target.directTLS ? try tls.makeContext(directTLS: true) : nil
        } catch {
            throw error as? ConnectionError ?? .tlsConfiguration("\(error)")
        }
        // The connection joins the session as soon as it is active, before anything is read: a
        // server may speak first (a `see-other-host` at once), and nothing it says is lost.
        let ended = eventLoop.makePromise(of: SessionEnd.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [limits, serverName] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(XMLStreamHandler(limits: limits))
                    try channel.pipeline.syncOperations.addHandler(
                        SessionChannelHandler(connectionID: id, target: target, ended: ended, driver: self))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            let failure = ConnectionError.connectFailed(target: target.description, reason: "\(error)")
            ended.fail(failure)
            throw failure
        }
        do {
            return try await withTaskCancellationHandler {
                try await ended.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            throw .connectionLost("\(error)")
        }
    }

    /// Makes an active connection the session's (on the loop, from its pipeline).
    func attach(_ channel: any Channel, id: Int, target: ConnectionTarget, ended promise: EventLoopPromise<SessionEnd>) {
        guard let parser = try? channel.pipeline.syncOperations.handler(type: XMLStreamHandler.self),
              let handler = try? channel.pipeline.syncOperations.handler(type: SessionChannelHandler.self),
              !state.stopped
        else {
            channel.close(promise: nil)
            promise.succeed(SessionEnd(error: .shuttingDown, resumable: false, redirect: nil, wasOnline: false))
            return
        }
        if let previous = state.connection {
            previous.channel.close(promise: nil)
            previous.ended.succeed(SessionEnd(error: .connectionLost("replaced"), resumable: state.machine.management.isResumable, redirect: nil, wasOnline: false))
        }
        state.connection = Connection(id: id, channel: channel, target: target, parser: parser, handler: handler, ended: promise)
        handler.setReadsPaused(state.readsPaused)
        let info = TransportInfo(target: target, isEncrypted: target.directTLS, isLoopback: Self.isLoopback(channel.remoteAddress))
        handle(.connected(info))
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        switch address {
        case .v4(let address)?: address.address.sin_addr.s_addr & 0xFF == 127
        case .v6?: address?.ipAddress == "::1"
        default: false
        }
    }

    /// An event from connection `id`'s pipeline (on the loop); events of an old connection are ignored.
    func receive(_ event: SessionEvent, on id: Int) {
        guard state.connection?.id == id else { return }
        handle(event)
    }

    // MARK: From the client (any thread)

    /// Hands a stanza to the session; fails when it was refused (not connected and nothing to
    /// resume, over the budget, outbox full, shutting down).
    func send(_ element: XMLElement, answering answer: AnswerTracking? = nil) -> EventLoopFuture<Void> {
        // On the loop (an answer decided where the stream is read, a task running on the
        // loop's thread) it is handed over at once: the machine is never mid-event here, as
        // `perform` runs after `handle` returns.
        guard eventLoop.inEventLoop else {
            return eventLoop.submit { [self] () throws -> Void in try hand(element, answering: answer) }
        }
        return eventLoop.makeCompletedFuture { try hand(element, answering: answer) }
    }

    /// The same for a caller that only wants to hear of a refusal: no future is made, which on
    /// the loop (an answer to a request just read) is most of the cost of handing one over.
    func send(_ element: XMLElement, answering answer: AnswerTracking?, ifRefused refused: @escaping @Sendable (any Error) -> Void) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { [self] in send(element, answering: answer, ifRefused: refused) }
            return
        }
        do {
            try hand(element, answering: answer)
        } catch {
            refused(error)
        }
    }

    private func hand(_ element: XMLElement, answering answer: AnswerTracking?) throws {
        let stanza = OutgoingStanza(element: element, answer: answer, queuedAt: .now)
        let (result, actions) = state.machine.send(stanza, at: .now)
        perform(actions)
        if case .refused(let error) = result { throw error }
    }

    /// Leaves gracefully; the future completes when the connection has ended (at once if
    /// there is none).
    func signOff() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            state.stopped = true
            guard let connection = state.connection else {
                handle(.signOff)
                return eventLoop.makeSucceededVoidFuture()
            }
            handle(.signOff)
            return connection.ended.futureResult.map { _ in }
        }
    }

    /// Stops or resumes reading from the server (the client is busy or free again). The
    /// session is told, as it cannot judge the connection's health while it does not read.
    func setReadsPaused(_ paused: Bool) {
        // From a request being dispatched (on the loop) it applies at once, before the next stanza.
        if eventLoop.inEventLoop {
            applyReadsPaused(paused)
        } else {
            eventLoop.execute { [self] in applyReadsPaused(paused) }
        }
    }

    private func applyReadsPaused(_ paused: Bool) {
        guard state.readsPaused != paused else { return }
        state.readsPaused = paused
        handle(.readsPaused(paused))
        state.connection?.handler.setReadsPaused(paused)
    }

    /// Closes the current connection (a setup step failed); the session ends as lost.
    func closeConnection(because reason: String) {
        eventLoop.execute { [self] in
            guard state.connection != nil else { return }
            handle(.transportFailed(reason))
        }
    }

    /// Where to reconnect for resumption, if the server named a place.
    func resumptionTarget(directTLS: Bool) async -> ConnectionTarget? {
        try? await eventLoop.submit { [self] in state.machine.resumptionTarget(directTLS: directTLS) }.get()
    }

    // MARK: Running the machine (on the loop)

    private func handle(_ event: SessionEvent) {
        perform(state.machine.handle(event, at: .now))
    }

    /// A timer of the machine's went off on the connection it was set for.
    private struct TimerFired: NIOScheduledCallbackHandler {
        let driver: SessionDriver
        let timer: SessionTimer
        let connectionID: Int?

        func handleScheduledCallback(eventLoop: some EventLoop) {
            driver.timerFired(timer, connectionID: connectionID)
        }
    }

    private func timerFired(_ timer: SessionTimer, connectionID: Int?) {
        guard state.connection?.id == connectionID else { return }
        state.timers[timer] = nil
        handle(.timerFired(timer))
    }

    private func notify(_ notice: SessionNotice) {
        state.noticeHandler?(notice)
    }

    private func perform(_ actions: [SessionAction]) {
        // Consecutive writes go out as one buffer, so as one TLS record: an answer and the
        // `<a/>` after it cost one encryption and one record instead of two.
        var pending: ByteBuffer?
        var needsFlush = false
        func writePending() {
            guard let buffer = pending else { return }
            pending = nil
            state.connection?.channel.write(buffer, promise: nil)
            needsFlush = true
        }
        func flush() {
            writePending()
            if needsFlush { state.connection?.channel.flush() }
            needsFlush = false
        }
        for action in actions {
            let connection = state.connection
            switch action {
            case .write, .schedule, .cancelTimer:
                break
            default:
                // What follows may write too (a notice's handler answers at once): the order
                // on the wire must stay the order the machine counted.
                writePending()
            }
            switch action {
            case .write(let text):
                guard let channel = connection?.channel else { continue }
                if pending == nil { pending = channel.allocator.buffer(capacity: text.utf8.count) }
                pending?.writeString(text)
            case .startTLS:
                flush()
                startTLS(on: connection)
            case .restartParser:
                connection?.parser.restart()
            case .schedule(let timer, let delay):
                state.timers.removeValue(forKey: timer)?.cancel()
                // A callback, not a task: no promise and future for a result nobody reads
                // (several per request: ack replies, ack requests, their timeouts).
                state.timers[timer] = try? eventLoop.assumeIsolated().scheduleCallback(
                    in: TimeAmount(delay), handler: TimerFired(driver: self, timer: timer, connectionID: connection?.id))
            case .cancelTimer(let timer):
                state.timers.removeValue(forKey: timer)?.cancel()
            case .closeTransport:
                flush()
                connection?.channel.close(promise: nil)
            case .established(let establishment):
                notify(.established(establishment, epoch: state.machine.epoch, server: connection?.target ?? Self.unknownTarget))
            case .deliver(let element):
                notify(.stanza(element, epoch: state.machine.epoch))
            case .deliverSkipped(let skipped):
                notify(.skipped(skipped, epoch: state.machine.epoch))
            case .report(let report):
                notify(.delivery(report))
            case .discarded(let note):
                notify(.discarded(note))
            case .ended(let end):
                flush()
                state.timers.values.forEach { $0.cancel() }
                state.timers.removeAll()
                state.connection = nil
                connection?.channel.close(promise: nil)
                notify(.ended(end))
                connection?.ended.succeed(end)
            }
        }
        flush()
    }

    private static let unknownTarget = ConnectionTarget(host: "", port: 0, directTLS: false)

    private func startTLS(on connection: Connection?) {
        guard let connection else { return }
        do {
            let context = try tls.makeContext(directTLS: false)
            let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
            try connection.channel.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            handle(.transportFailed("\(error)"))
        }
    }
}
