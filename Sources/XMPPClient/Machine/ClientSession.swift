import NIOCore
import XMPPCore

/// The client side of an XMPP session as a state machine without I/O: events in, actions out.
///
/// It negotiates each connection (STARTTLS, SASL, resource binding, the legacy session),
/// enables XEP-0198 stream management and resumes through it, keeps the connection proven
/// alive, and holds outgoing stanzas until a stream can carry them. It never touches a socket,
/// a timer or a clock: `SessionDriver` feeds it what happened (with the time) and carries out
/// what it returns, so every branch can be tested offline with scripted transcripts.
///
/// One session spans many connections: the stream management state and the outbox survive a
/// lost connection, and `.ended` says whether the next connection can resume.
struct ClientSession: Sendable {
    struct Settings: Sendable {
        var account: JID
        var password: Secret
        var resource: String
        var tls: TLSMode
        var allowedMechanisms: Set<String>?
        var streamManagement: Bool
        var negotiationTimeout: Duration
        var keepaliveInterval: Duration
        /// An ack request or ping unanswered this long means the connection is dead.
        var pingTimeout: Duration
        /// Stanzas written gather this long before one ack request covers them...
        var ackDelay: Duration = .milliseconds(250)
        /// ...unless this many are unacknowledged already.
        var ackBurst = 8
        /// The server's ack request is answered within this, or with our next stanza if sooner.
        var ackReplyDelay: Duration = .milliseconds(10)
        /// Stanzas written but unacknowledged; past this, stanzas wait in the outbox.
        var maximumUnacknowledged = 256
        /// Stanzas waiting for a stream; past this, new ones are refused.
        var outboxLimit = 1_000
        /// An answer that waited this long for a connection is dropped, not sent.
        var answerLifetime: Duration = .seconds(600)
        /// How long the server is asked to keep a lost session (`max` of `<enable/>`).
        var preferredResumptionTime: Duration? = .seconds(300)
        /// Makes SCRAM nonces; tests fix it.
        var makeNonce: @Sendable () -> String = { SCRAMClient.randomNonce() }

        init(configuration: ClientConfiguration) {
            account = configuration.account
            password = configuration.password
            resource = configuration.resource
            tls = configuration.tls
            allowedMechanisms = configuration.allowedMechanisms
            streamManagement = configuration.streamManagement
            negotiationTimeout = configuration.negotiationTimeout
            keepaliveInterval = configuration.keepaliveInterval
            pingTimeout = configuration.pingTimeout
            answerLifetime = configuration.duplicateWindow
        }
    }

    enum Phase: Sendable, Equatable {
        case disconnected
        case awaitingHeader
        case awaitingFeatures
        case awaitingProceed
        case awaitingTLS
        case authenticating
        case resuming
        case binding
        case establishingSession
        case enabling
        case online
        /// Our `</stream:stream>` is out; waiting for the server's.
        case closing
    }

    /// Which of a connection's streams is open: they restart after TLS and after SASL.
    enum Stage: Sendable {
        case initial, secured, authenticated
    }

    /// What a send did with the stanza.
    enum SendResult: Sendable, Equatable {
        case written
        /// Waiting for a stream that can carry it.
        case queued
        case refused(ConnectionError)
    }

    /// Ids of the requests the session sends itself.
    static let bindID = "bind-1"
    static let legacySessionID = "session-1"
    static let closingGrace = Duration.seconds(2)

    let settings: Settings
    var phase = Phase.disconnected
    var epoch = StreamEpoch(session: 0, connection: 0)
    /// Our full JID: kept while the session can still be resumed.
    var boundJID: JID?
    var management = StreamManagement()
    var outbox = CircularBuffer<OutgoingStanza>()

    // The current connection.
    var transport: TransportInfo?
    var encrypted = false
    var stage = Stage.initial
    var sasl: SASLExchange?
    var mechanism: String?
    var budget = OutgoingBudget()
    /// The features after authentication: resumption and binding choose from them.
    var authenticatedFeatures: XMLElement?
    var keepalivePingID: String?
    var keepaliveCount = 0
    var ackRequestPending = false
    var ackReplyPending = false
    var signingOff = false
    var wasOnline = false
    /// The driver is not reading: acks cannot arrive, so their absence proves nothing.
    var readsPaused = false
    var connectedAt: ContinuousClock.Instant?

    // The current call.
    var now = ContinuousClock.now
    private var actions: [SessionAction] = []
    private var scheduled: Set<SessionTimer> = []

    init(settings: Settings) {
        self.settings = settings
    }

    var isOnline: Bool { phase == .online }

    /// Where to reconnect for resumption, when the server named a place (`location`).
    func resumptionTarget(directTLS: Bool) -> ConnectionTarget? {
        guard let location = management.resumption?.location else { return nil }
        return ConnectionTarget(address: location, defaultPort: directTLS ? 5223 : 5222, directTLS: directTLS)
    }

    // MARK: Input

    mutating func handle(_ event: SessionEvent, at now: ContinuousClock.Instant) -> [SessionAction] {
        self.now = now
        switch event {
        case .connected(let info):
            connect(info)
        case .stream(let streamEvent):
            receive(streamEvent)
        case .parseFailed(let error):
            endWithStreamError(StreamError(error.condition, text: error.detail), because: .malformedStream(error))
        case .tlsEstablished:
            guard phase == .awaitingTLS else { break }
            encrypted = true
            stage = .secured
            emit(.restartParser)
            openStream()
        case .transportFailed(let reason):
            end(phase == .awaitingTLS || (transport?.isEncrypted == true && phase == .awaitingHeader && stage == .initial)
                ? .tlsFailed(reason) : .connectionLost(reason))
        case .disconnected:
            end(signingOff ? .shuttingDown : .connectionLost("the server or the network closed the connection"), closing: false)
        case .timerFired(let timer):
            scheduled.remove(timer)
            timerFired(timer)
        case .readsPaused(let paused):
            readsPaused = paused
        case .signOff:
            signOff()
        }
        return takeActions()
    }

    /// Hands a stanza over: written now if the stream is up, else kept for the next stream
    /// that can carry it (a resumed one, or for answers and messages any new one).
    mutating func send(_ stanza: OutgoingStanza, at now: ContinuousClock.Instant) -> (SendResult, [SessionAction]) {
        self.now = now
        let result: SendResult
        if signingOff {
            result = .refused(.shuttingDown)
        } else if phase == .online, outbox.isEmpty, hasRoomUnacknowledged {
            result = writeStanza(stanza) ? .written : .refused(.stanzaTooLarge(stanza.summary))
        } else if phase == .online || management.isResumable || stanza.answer != nil {
            if outbox.count >= settings.outboxLimit {
                drop(stanza, because: "\(settings.outboxLimit) stanzas already wait for a connection")
                result = .refused(.outboxFull)
            } else {
                outbox.append(stanza)
                result = .queued
                flush()
            }
        } else {
            result = .refused(.notConnected)
        }
        return (result, takeActions())
    }

    // MARK: Output

    mutating func emit(_ action: SessionAction) {
        actions.append(action)
    }

    private mutating func takeActions() -> [SessionAction] {
        defer { actions.removeAll() }
        return actions
    }

    mutating func write(_ element: XMLElement) {
        emit(.write(element.serialized(inheritedNamespace: StreamNamespace.client)))
    }

    mutating func schedule(_ timer: SessionTimer, after delay: Duration) {
        scheduled.insert(timer)
        emit(.schedule(timer, after: delay))
    }

    mutating func cancel(_ timer: SessionTimer) {
        guard scheduled.remove(timer) != nil else { return }
        emit(.cancelTimer(timer))
    }

    // MARK: Connection life

    private mutating func connect(_ info: TransportInfo) {
        if phase != .disconnected { end(.connectionLost("a new connection replaced it")) }
        epoch.connection += 1
        transport = info
        encrypted = info.isEncrypted
        stage = .initial
        sasl = nil
        mechanism = nil
        budget = OutgoingBudget()
        authenticatedFeatures = nil
        keepalivePingID = nil
        ackRequestPending = false
        ackReplyPending = false
        signingOff = false
        wasOnline = false
        connectedAt = now
        management.isCounting = false
        management.awaitingAck = false
        dropExpiredAnswers()
        if let resumption = management.resumption, resumption.hasExpired(at: now) {
            abandonResumption(because: "the server keeps a lost session \(resumption.maximum?.formattedSeconds ?? "briefly"), and it was lost longer ago")
        }
        openStream()
        schedule(.negotiation, after: settings.negotiationTimeout)
    }

    /// Ends the connection; `closing` asks the driver to close the transport too.
    mutating func end(_ error: ConnectionError, closing: Bool = true, redirect: ConnectionTarget? = nil) {
        guard phase != .disconnected else { return }
        for timer in SessionTimer.allCases { cancel(timer) }
        if closing { emit(.closeTransport) }
        let resumable = management.isResumable && !signingOff
        if signingOff {
            // Written before our closing tag, so the server read them; its ack may not have come.
            for entry in management.abandon() {
                if let answer = entry.stanza.answer {
                    emit(.report(AnswerDelivery(answer: answer, outcome: outcome(of: answer, writtenOn: entry.writtenOn), acknowledged: false)))
                }
            }
            boundJID = nil
        } else if resumable {
            management.resumption?.lostAt = now
            management.isCounting = false
            management.awaitingAck = false
        } else {
            abandonResumption(because: "the session ended (\(error))")
        }
        phase = .disconnected
        transport = nil
        sasl = nil
        emit(.ended(SessionEnd(error: error, resumable: resumable, redirect: redirect, wasOnline: wasOnline)))
    }

    /// Writes a stream error (with its prefix), closes the stream and ends.
    mutating func endWithStreamError(_ streamError: StreamError, because error: ConnectionError) {
        if phase != .disconnected {
            emit(.write(streamError.serialized))
            emit(.write(StreamHeader.closing))
        }
        end(error)
    }

    private mutating func signOff() {
        signingOff = true
        management.resumption = nil
        while let stanza = outbox.popFirst() { drop(stanza, because: "shutting down") }
        switch phase {
        case .disconnected, .closing:
            break
        case .online, .enabling:
            // A last ack of what we received (XEP-0198 §4), and a request for the server's.
            if management.isCounting {
                ackReplyPending = false
                cancel(.ackReply)
                write(management.ackElement)
                write(StreamManagement.element("r"))
            }
            emit(.write(StreamHeader.closing))
            phase = .closing
            for timer in [SessionTimer.keepalive, .ackRequest, .ackReply, .ackTimeout] { cancel(timer) }
            schedule(.closing, after: Self.closingGrace)
        default:
            emit(.write(StreamHeader.closing))
            end(.shuttingDown)
        }
    }

    private mutating func timerFired(_ timer: SessionTimer) {
        switch timer {
        case .negotiation:
            guard phase != .online, phase != .closing, phase != .disconnected else { return }
            end(.negotiationTimedOut)
        case .ackReply:
            if ackReplyPending, phase == .online || phase == .closing { replyToAckRequest() }
        case .ackRequest:
            ackRequestPending = false
            if phase == .online, !management.awaitingAck, !management.unacknowledged.isEmpty { requestAck() }
        case .ackTimeout:
            guard phase == .online || phase == .closing else { return }
            if readsPaused { return schedule(.ackTimeout, after: settings.pingTimeout) }
            end(.pingTimedOut)
        case .keepalive:
            guard phase == .online else { return }
            if !readsPaused { sendKeepalive() }
            schedule(.keepalive, after: settings.keepaliveInterval)
        case .closing:
            end(.shuttingDown)
        }
    }
}
