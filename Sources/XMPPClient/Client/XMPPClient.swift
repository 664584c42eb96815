import Logging
import NIOCore
import NIOPosix
import Synchronization
import XMPPCore

/// Something that happened on the client, for whoever subscribed with `events()`.
public enum ClientEvent: Sendable {
    /// Logged in (roster fetched, initial presence sent), or the previous session resumed.
    case online(SessionInfo)
    /// The connection ended; the supervisor will try again unless shutting down.
    case offline(reason: String)
    case presence(Presence)
    case message(Message)
    /// A roster push changed (or removed) this contact.
    case rosterChanged(RosterItem)
    /// How the answer to a request reached the server (live, after resumption, on a new
    /// stream) or why it never did: what an audit line needs.
    case answerDelivered(AnswerDelivery)
    /// `shutdown()` finished or `run()` returned.
    case stopped
}

/// What a successful login established.
public struct SessionInfo: Sendable, Equatable {
    public var jid: JID
    /// The SASL mechanism used, as named on the wire.
    public var mechanism: String
    public var server: ConnectionTarget
    /// XEP-0198 stream management is on: stanzas are acknowledged, the session resumable.
    public var streamManagement: Bool
    /// This is the previous session, resumed (its roster and presence were kept).
    public var resumed: Bool
}

/// How to answer a contact who asks to see our presence.
public enum SubscriptionDecision: Sendable, Equatable {
    /// `subscribed`, and a `subscribe` of our own so the contact's roster shows a mutual subscription.
    case approve
    /// `unsubscribed`: the contact's client shows the request as refused.
    case decline
    /// No answer: the request waits for a person to decide from another client.
    case leavePending
}

/// Decides on one subscription request, given the contact's bare JID.
public typealias SubscriptionPolicy = @Sendable (JID) async -> SubscriptionDecision

/// A headless XMPP client that logs in, stays online and comes back after faults.
///
/// `run()` is the supervisor: it connects (configured host or SRV) and reconnects after every
/// fault, by `ReconnectPolicy`. Each connection is run by `SessionDriver`, which drives the
/// sans-I/O `ClientSession` (TLS, SASL, bind, XEP-0198 resumption, keepalive). Requests are
/// answered through `router` in tasks of the client's lifetime, so a run outlives the
/// connection it came on and answers on the resumed (or next) stream. `shutdown()` leaves
/// gracefully: unavailable presence, `</stream:stream>`, close.
public final class XMPPClient: Sendable {
    public let configuration: ClientConfiguration
    public let router: IQRouter
    public let roster: Roster
    public let disco: ServiceDiscovery
    let logger: Logger

    struct State {
        var boundJID: JID?
        var session: SessionInfo?
        var onlineSince: ContinuousClock.Instant?
        var presence: PresenceSettings
        var stopping = false
        var subscriptionPolicy: SubscriptionPolicy = { _ in .leavePending }
        /// Wakes the supervisor from a backoff sleep at shutdown.
        var wakeSupervisor: CheckedContinuation<Void, Never>?
        var nextStanzaNumber: UInt64 = 0
        /// Read after a new login, before its roster: see `handOn(_:)`.
        var messagesAwaitingRoster: [Message] = []
        var messagesDroppedAwaitingRoster = 0
    }

    let state: Mutex<State>
    let pending = PendingRequests()
    let broadcaster = EventBroadcaster<ClientEvent>()
    let skippedLog = LogRateLimiter()
    let driver: SessionDriver
    let requests: RequestScope
    let recentAnswers: RecentAnswers
    private let stanzaPrefix: String

    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "adhocd.xmpp")) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "account"] = "\(configuration.account)"
        self.logger = logger
        roster = Roster()
        router = IQRouter(roster: roster, logger: logger)
        disco = ServiceDiscovery(
            identity: DiscoIdentity(category: "client", type: "bot", name: configuration.softwareName),
            capsNode: "urn:x-adhocd", roster: roster)
        state = Mutex(State(presence: configuration.presence))
        stanzaPrefix = String(UInt32.random(in: .min ... .max), radix: 36)
        let driver = SessionDriver(
            settings: ClientSession.Settings(configuration: configuration), tls: configuration.tlsSettings,
            limits: configuration.parserLimits, eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        self.driver = driver
        requests = RequestScope(limit: configuration.maximumConcurrentRequests) { pause in driver.setReadsPaused(pause) }
        recentAnswers = RecentAnswers(window: configuration.duplicateWindow)
        driver.setNoticeHandler { [weak self] notice in self?.handle(notice) }
        registerCoreHandlers()
    }

    // MARK: Public API

    /// A new subscription to the client's events; ends when the client stops.
    public func events() -> AsyncStream<ClientEvent> {
        broadcaster.subscribe()
    }

    /// The events `wants` accepts: a subscriber that handles few kinds is not woken for the
    /// others (a delivery report for every answer, each presence).
    public func events(where wants: @escaping EventBroadcaster<ClientEvent>.Filter) -> AsyncStream<ClientEvent> {
        broadcaster.subscribe(wants: wants)
    }

    /// Our full JID while online.
    public var boundJID: JID? { state.withLock { $0.boundJID } }

    public var isOnline: Bool { state.withLock { $0.boundJID != nil } }

    public func setSubscriptionPolicy(_ policy: @escaping SubscriptionPolicy) {
        state.withLock { $0.subscriptionPolicy = policy }
    }

    /// Sends a stanza: written now when online; while a session can be resumed it waits for
    /// the resumed stream. Throws when it cannot be sent (not connected, over the server's size
    /// limit, too much waiting already, shutting down).
    public func send(_ element: XMLElement) async throws {
        try await driver.send(element).get()
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
        let id = iq.id ?? makeStanzaID()
        var iq = iq
        iq.element[attribute: "id"] = id
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                send(request: iq, timeout: timeout) { continuation.resume(with: $0) }
                // Cancelled before registering: onCancel found nothing to fail.
                if Task.isCancelled { pending.fail(id: id, with: CancellationError()) }
            }
        } onCancel: { [pending] in
            pending.fail(id: id, with: CancellationError())
        }
    }

    /// Sends a get or set (with an id) and calls `completion` once with its answer, a
    /// timeout, or a failure. The answer is delivered where the stream is read, before the
    /// stanzas that follow it.
    func send(request iq: IQ, timeout: Duration?, completion: @escaping PendingRequests.Completion) {
        guard let id = iq.id else {
            completion(.failure(ConnectionError.notConnected))
            return
        }
        // RFC 6120 §8.1.2.1: answers to the server or our account come without `from`, or from
        // our bare JID or domain; any other addressee must answer from its own JID.
        let account = configuration.account
        let accepted: Set<JID?>
        if let to = iq.to, to != account, to.description != account.domain {
            accepted = [to]
        } else {
            accepted = [nil, account, try? JID(domain: account.domain)]
        }
        guard pending.register(id: id, acceptedSenders: accepted, completion: completion) else {
            completion(.failure(ConnectionError.duplicateRequestID(id)))
            return
        }
        let scheduled = driver.eventLoop.scheduleTask(in: TimeAmount(timeout ?? configuration.requestTimeout)) { [pending] in
            pending.fail(id: id, with: ConnectionError.requestTimedOut(id: id))
        }
        pending.setTimeout(id: id, scheduled)
        driver.send(iq.element).whenFailure { [pending] error in
            pending.fail(id: id, with: error)
        }
    }

    /// Changes our availability; sent at once when online, on the resumed stream when the
    /// connection is down but the session can be resumed, and after every new login.
    public func setPresence(_ presence: PresenceSettings) async {
        state.withLock { $0.presence = presence }
        do {
            try await send(currentPresence())
        } catch ConnectionError.notConnected {
            // The next login sends it.
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
}
