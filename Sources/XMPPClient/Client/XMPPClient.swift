import Logging
import NIOCore
import Synchronization
import XMPPCore

/// Something that happened on the client, for whoever subscribed with `events()`.
public enum ClientEvent: Sendable {
    /// Logged in, roster fetched, initial presence sent.
    case online(SessionInfo)
    /// The connection ended; the supervisor will try again unless shutting down.
    case offline(reason: String)
    case presence(Presence)
    case message(Message)
    /// A roster push changed (or removed) this contact.
    case rosterChanged(RosterItem)
    /// `shutdown()` finished or `run()` returned.
    case stopped
}

/// What a successful login established.
public struct SessionInfo: Sendable, Equatable {
    public var jid: JID
    /// The SASL mechanism used, as named on the wire.
    public var mechanism: String
    public var server: ConnectionTarget
}

/// Decides whether a contact asking to see our presence may: true approves it.
public typealias SubscriptionPolicy = @Sendable (JID) async -> Bool

/// A headless XMPP client that logs in, stays online and comes back after faults.
///
/// `run()` is the supervisor: it connects (configured host or SRV), negotiates TLS, SASL and a
/// resource, fetches the roster, sends presence, answers requests through `router`, pings the
/// server to notice dead connections, and on any disconnect reconnects with exponential
/// backoff. `shutdown()` leaves gracefully: unavailable presence, `</stream:stream>`, close.
public final class XMPPClient: Sendable {
    public let configuration: ClientConfiguration
    public let router: IQRouter
    public let roster: Roster
    public let disco: ServiceDiscovery
    let logger: Logger

    private struct State {
        var connection: StreamConnection?
        var boundJID: JID?
        var session: SessionInfo?
        var presence: PresenceSettings
        var stopping = false
        var subscriptionPolicy: SubscriptionPolicy = { _ in false }
        /// Wakes the supervisor from a backoff sleep at shutdown.
        var wakeSupervisor: CheckedContinuation<Void, Never>?
        var nextStanzaNumber: UInt64 = 0
    }

    private let state: Mutex<State>
    private let pending = PendingRequests()
    private let broadcaster = EventBroadcaster<ClientEvent>()
    private let stanzaPrefix: String

    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "adhocd.xmpp")) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "account"] = "\(configuration.account)"
        self.logger = logger
        router = IQRouter(logger: logger)
        roster = Roster()
        disco = ServiceDiscovery(
            identity: DiscoIdentity(category: "client", type: "bot", name: configuration.softwareName),
            capsNode: "urn:x-adhocd")
        state = Mutex(State(presence: configuration.presence))
        stanzaPrefix = String(UInt32.random(in: .min ... .max), radix: 36)
        registerCoreHandlers()
    }

    // MARK: Public API

    /// A new subscription to the client's events; ends when the client stops.
    public func events() -> AsyncStream<ClientEvent> {
        broadcaster.subscribe()
    }

    /// Our full JID while online.
    public var boundJID: JID? { state.withLock { $0.boundJID } }

    public var isOnline: Bool { state.withLock { $0.boundJID != nil } }

    public func setSubscriptionPolicy(_ policy: @escaping SubscriptionPolicy) {
        state.withLock { $0.subscriptionPolicy = policy }
    }

    /// Writes a stanza on the current connection.
    public func send(_ element: XMLElement) async throws {
        guard let connection = state.withLock({ $0.connection }) else { throw ConnectionError.notConnected }
        try await connection.send(element)
    }

    /// A fresh stanza id, unique for this client.
    public func makeStanzaID() -> String {
        let number = state.withLock { state in
            state.nextStanzaNumber += 1
            return state.nextStanzaNumber
        }
        return "\(stanzaPrefix)-\(number)"
    }

    /// Sends a get or set and waits for its result; an error answer throws its `StanzaError`.
    /// Without an id the request gets a fresh one.
    public func request(_ iq: IQ, timeout: Duration? = nil) async throws -> IQ {
        guard let connection = state.withLock({ $0.connection }), let bound = boundJID else {
            throw ConnectionError.notConnected
        }
        var iq = iq
        let id = iq.id ?? makeStanzaID()
        iq.element[attribute: "id"] = id
        // RFC 6120 §8.1.2.1: answers to the server or our account come without `from`, or from
        // our bare JID or domain; any other addressee must answer from its own JID.
        let accepted: Set<JID?>
        if let to = iq.to, to != bound.bare, to.description != bound.domain {
            accepted = [to]
        } else {
            accepted = [nil, bound.bare, try? JID(domain: bound.domain)]
        }
        let limit = timeout ?? configuration.requestTimeout
        return try await withCheckedThrowingContinuation { continuation in
            pending.register(id: id, acceptedSenders: accepted, continuation: continuation)
            let scheduled = connection.channel.eventLoop.scheduleTask(in: TimeAmount(limit)) { [pending] in
                pending.fail(id: id, with: ConnectionError.requestTimedOut(id: id))
            }
            pending.setTimeout(id: id, scheduled)
            connection.channel.writeAndFlush(StreamOutput.element(iq.element)).whenFailure { [pending] error in
                pending.fail(id: id, with: error)
            }
        }
    }

    /// Changes our availability; sent at once when online and after every reconnect.
    public func setPresence(_ presence: PresenceSettings) async {
        state.withLock { $0.presence = presence }
        guard isOnline else { return }
        do {
            try await send(currentPresence())
        } catch {
            logger.warning("could not send presence", metadata: ["error": "\(error)"])
        }
    }

    public var presence: PresenceSettings { state.withLock { $0.presence } }

    /// Our available presence as it goes out now, with entity capabilities.
    public func currentPresence() -> XMLElement {
        let settings = presence
        var element = Presence(show: settings.show, status: settings.status, priority: settings.priority).element
        element.append(disco.capsElement)
        return element
    }

    // MARK: Supervisor

    /// Stays online until `shutdown()` or cancellation, reconnecting after every failure.
    public func run() async {
        var backoff = configuration.backoff
        while !isStopping, !Task.isCancelled {
            let onlineSince = await runOneSession()
            if isStopping || Task.isCancelled { break }
            if let onlineSince, ContinuousClock.now - onlineSince >= configuration.stableSessionDuration {
                backoff.reset()
            }
            let delay = backoff.nextDelay()
            logger.info("reconnecting", metadata: ["delay": "\(delay.formattedSeconds)"])
            await sleepUnlessStopping(delay)
        }
        broadcaster.yield(.stopped)
        broadcaster.finish()
    }

    /// Leaves gracefully: unavailable presence, end of stream, close; `run()` then returns.
    public func shutdown() async {
        let (connection, waiter) = state.withLock { state in
            state.stopping = true
            defer { state.wakeSupervisor = nil }
            return (state.connection, state.wakeSupervisor)
        }
        waiter?.resume()
        guard let connection else { return }
        logger.info("signing off")
        try? await connection.send(Presence(.unavailable).element)
        try? await connection.send(.close)
        // Give the server a moment to close its side, then close ours regardless.
        connection.channel.eventLoop.scheduleTask(in: .seconds(2)) { connection.close() }
        try? await connection.channel.closeFuture.get()
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func sleepUnlessStopping(_ delay: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.stopping { return true }
                        state.wakeSupervisor = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
            // Release the waiter if the timer won.
            state.withLock { $0.wakeSupervisor }?.resume()
            state.withLock { $0.wakeSupervisor = nil }
        }
    }

    /// One connection from connect to disconnect. Returns when it went online, if it did.
    private func runOneSession() async -> ContinuousClock.Instant? {
        var onlineSince: ContinuousClock.Instant?
        var failure: (any Error)?
        do {
            let connection = try await connect()
            defer { connection.close() }
            var events = connection.events.makeAsyncIterator()
            let negotiated = try await negotiate(connection, &events)
            state.withLock { state in
                state.connection = connection
                state.boundJID = negotiated.boundJID
                state.session = SessionInfo(jid: negotiated.boundJID, mechanism: negotiated.mechanism.name, server: connection.target)
            }
            onlineSince = .now
            logger.notice("connected", metadata: [
                "jid": "\(negotiated.boundJID)", "server": "\(connection.target)", "sasl": "\(negotiated.mechanism)",
            ])
            try await serve(connection, &events)
        } catch {
            failure = error
        }
        state.withLock { state in
            state.connection = nil
            state.boundJID = nil
            state.session = nil
        }
        pending.failAll(with: ConnectionError.notConnected)
        let reason = failure.map { "\($0)" } ?? "disconnected"
        if !isStopping {
            if let error = failure as? ConnectionError, error.isAuthenticationFailure {
                logger.error("login refused: \(reason)")
            } else {
                logger.warning("connection lost or failed: \(reason)")
            }
        }
        broadcaster.yield(.offline(reason: reason))
        return onlineSince
    }

    private func connect() async throws -> StreamConnection {
        let targets = await ConnectionTarget.candidates(
            domain: configuration.account.domain, host: configuration.host, port: configuration.port, tls: configuration.tls)
        var failures: [String] = []
        for target in targets {
            do {
                logger.debug("connecting", metadata: ["server": "\(target)"])
                return try await StreamConnection.connect(
                    to: target, tls: configuration.tlsSettings, serverName: configuration.account.domain,
                    limits: configuration.parserLimits, timeout: TimeAmount(configuration.connectTimeout))
            } catch {
                failures.append("\(error)")
            }
        }
        throw ConnectionError.noTargetReachable(failures)
    }

    private func negotiate(_ connection: StreamConnection, _ events: inout StreamEvents) async throws -> NegotiatedStream {
        // Closing the channel at the deadline ends the event stream, which ends negotiation.
        let timedOut = Atomic<Bool>(false)
        let deadline = connection.channel.eventLoop.scheduleTask(in: TimeAmount(configuration.negotiationTimeout)) {
            timedOut.store(true, ordering: .relaxed)
            connection.close()
        }
        defer { deadline.cancel() }
        do {
            return try await StreamNegotiator(connection: connection, configuration: configuration, logger: logger).negotiate(&events)
        } catch let error as ConnectionError {
            if case .malformedStream(let parseError) = error {
                await sendStreamError(StreamError(parseError.condition, text: parseError.detail), on: connection)
            }
            throw timedOut.load(ordering: .relaxed) ? ConnectionError.negotiationTimedOut : error
        }
    }

    // MARK: Session

    /// Reads stanzas until the connection ends; meanwhile fetches the roster, announces
    /// presence and keeps the connection alive.
    private func serve(_ connection: StreamConnection, _ events: inout StreamEvents) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.startSession(connection) }
            defer { group.cancelAll() }
            while true {
                let event: StreamEvent?
                do {
                    event = try await events.next()
                } catch where Task.isCancelled {
                    // A session task failed (keepalive timeout) and cancelled the group: its
                    // error is the reason, rethrown by the group.
                    return
                } catch {
                    let failure = ConnectionError(transportError: error)
                    if case .malformedStream(let parseError) = failure {
                        await sendStreamError(StreamError(parseError.condition, text: parseError.detail), on: connection)
                    }
                    throw failure
                }
                switch event {
                case .element(let element):
                    try handle(element, group: &group)
                case .closed:
                    if !isStopping { try? await connection.send(.close) }
                    throw ConnectionError.streamClosed
                case .opened:
                    await sendStreamError(StreamError(.badFormat, text: "unexpected stream header"), on: connection)
                    throw ConnectionError.unexpectedElement("stream:stream")
                case nil:
                    if Task.isCancelled { return }
                    throw connection.failureReason ?? ConnectionError.streamClosed
                }
            }
        }
    }

    private func handle(_ element: XMLElement, group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        guard element.namespace == StreamNamespace.client else {
            if element.name == "error", element.namespace == StreamNamespace.stream {
                throw ConnectionError.streamError(StreamError(element: element))
            }
            logger.debug("ignoring a top-level element", metadata: ["element": "\(element.name)", "namespace": "\(element.namespace)"])
            return
        }
        // A stanza without `from` comes from the server on behalf of our account.
        let rawFrom = element[attribute: "from"]
        let sender: JID?
        if let rawFrom {
            guard let parsed = try? JID(rawFrom) else {
                logger.warning("dropping a stanza with an invalid from", metadata: ["element": "\(element.name)"])
                return
            }
            sender = parsed
        } else {
            sender = nil
        }
        switch element.name {
        case "iq":
            let iq = IQ(element: element)
            if iq.kind == .result || iq.kind == .error {
                if !pending.resolve(iq, from: sender) {
                    logger.debug("ignoring an unexpected answer", metadata: ["id": "\(iq.id ?? "")", "from": "\(rawFrom ?? "")"])
                }
                return
            }
            let requester = sender ?? configuration.account
            group.addTask {
                guard let answer = await self.router.answer(iq, sender: requester) else {
                    self.logger.warning("cannot answer a request without an id", metadata: ["from": "\(requester)"])
                    return
                }
                do {
                    try await self.send(answer.element)
                } catch {
                    self.logger.warning("could not send an answer", metadata: ["id": "\(iq.id ?? "")", "error": "\(error)"])
                }
            }
        case "presence":
            let presence = Presence(element: element)
            if presence.kind == .subscribe, let sender {
                group.addTask { await self.answerSubscriptionRequest(from: sender) }
            }
            broadcaster.yield(.presence(presence))
        case "message":
            broadcaster.yield(.message(Message(element: element)))
        default:
            logger.debug("ignoring an unknown stanza", metadata: ["element": "\(element.name)"])
        }
    }

    private func startSession(_ connection: StreamConnection) async throws {
        do {
            let answer = try await request(IQ(.get, id: makeStanzaID(), payload: XMLElement("query", namespace: Roster.namespace)))
            let items = answer.payload.map(Roster.items(in:)) ?? []
            roster.replaceAll(with: items)
            logger.debug("roster fetched", metadata: ["contacts": "\(items.count)"])
            try await connection.send(currentPresence())
        } catch {
            if Task.isCancelled { return }
            logger.warning("session setup failed, reconnecting", metadata: ["error": "\(error)"])
            connection.close()
            throw error
        }
        if let session = state.withLock({ $0.session }) { broadcaster.yield(.online(session)) }
        try await keepAlive(connection)
    }

    /// Pings the server every keepalive interval; no answer within the ping timeout means the
    /// connection is dead: it is closed and the session ends with `pingTimedOut` at once,
    /// without waiting for TCP or TLS to notice.
    private func keepAlive(_ connection: StreamConnection) async throws {
        let ping = XMLElement("ping", namespace: "urn:xmpp:ping")
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.keepaliveInterval)
            } catch {
                return
            }
            do {
                let server = try JID(domain: configuration.account.domain)
                _ = try await request(IQ(.get, id: makeStanzaID(), to: server, payload: ping), timeout: configuration.pingTimeout)
            } catch is StanzaError {
                continue  // An error answer still proves the connection is alive.
            } catch ConnectionError.requestTimedOut {
                logger.warning("keepalive ping timed out, reconnecting", metadata: ["timeout": "\(configuration.pingTimeout.formattedSeconds)"])
                connection.close(because: .pingTimedOut)
                throw ConnectionError.pingTimedOut
            } catch {
                return
            }
        }
    }

    private func answerSubscriptionRequest(from contact: JID) async {
        let policy = state.withLock { $0.subscriptionPolicy }
        guard await policy(contact.bare) else {
            logger.info("leaving a presence subscription request unanswered: no rule allows the contact", metadata: ["from": "\(contact.bare)"])
            return
        }
        logger.info("approving a presence subscription", metadata: ["from": "\(contact.bare)"])
        try? await send(Presence(.subscribed, to: contact.bare).element)
    }

    private func sendStreamError(_ error: StreamError, on connection: StreamConnection) async {
        logger.warning("closing the stream with an error", metadata: ["condition": "\(error.condition.rawValue)", "detail": "\(error.text ?? "")"])
        try? await connection.send(error.element)
        try? await connection.send(.close)
    }

    // MARK: Built-in responders

    private func registerCoreHandlers() {
        router.register(.get, namespace: "urn:xmpp:ping") { _ in nil }
        disco.addFeature("urn:xmpp:ping")

        router.register(.get, namespace: "jabber:iq:version") { [configuration] _ in
            var query = XMLElement("query", namespace: "jabber:iq:version")
            query.append(XMLElement("name", namespace: "jabber:iq:version", text: configuration.softwareName))
            query.append(XMLElement("version", namespace: "jabber:iq:version", text: configuration.softwareVersion))
            return query
        }
        disco.addFeature("jabber:iq:version")

        router.register(.get, namespace: DiscoNamespace.info) { [disco] request in try await disco.answerInfo(request) }
        router.register(.get, namespace: DiscoNamespace.items) { [disco] request in try await disco.answerItems(request) }

        // Roster pushes are only believed from our own account (RFC 6121 §2.1.6).
        router.register(.set, namespace: Roster.namespace) { [roster, broadcaster, configuration] request in
            guard request.from == configuration.account else { throw StanzaError(.serviceUnavailable) }
            let items = Roster.items(in: request.payload)
            guard items.count == 1, let item = items.first else {
                throw StanzaError(.badRequest, text: "a roster push carries exactly one item")
            }
            roster.apply(item)
            broadcaster.yield(.rosterChanged(item))
            return nil
        }
    }
}

extension Duration {
    /// "1.5 s" for logs.
    public var formattedSeconds: String {
        let (seconds, attoseconds) = components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "\(seconds) s" }
        return "\(seconds).\("\(1000 + milliseconds)".dropFirst()) s"
    }
}
