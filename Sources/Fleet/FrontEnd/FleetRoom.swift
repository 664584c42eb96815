import Chat
import Logging
import Synchronization
import XMPPClient
import XMPPCore

/// The bot in its fleet room: it joins (and rejoins) with its health as room presence, and
/// answers the lines addressed to it (`NICK:`, `all:`, `*:`) and private messages through the
/// room, through the chat front end's dialogue, by the rules of the sender's real JID.
///
/// Socket-free: client events in, stanzas out through `Transport`. Who is in the room is kept
/// from the room's presences (`Occupants`); joining, join timeouts, nick conflicts, kicks and
/// bans are `RoomMembership`'s; what the answer is, `CommandConversation`'s; answers ready
/// while the bot is out of the room wait in `HeldAnswers` (see FleetRoom+Answers).
public final class FleetRoom: Sendable {
    /// How the room reaches the server.
    public struct Transport: Sendable {
        /// Hands a stanza to the client; throws when it cannot go (offline with no session to
        /// resume, shutting down).
        public var send: @Sendable (XMLElement) async throws -> Void
        /// An IQ and its answer (an error answer throws).
        public var request: @Sendable (IQ) async throws -> IQ
        /// Our full JID while online.
        public var ownJID: @Sendable () -> JID?

        public init(send: @escaping @Sendable (XMLElement) async throws -> Void, request: @escaping @Sendable (IQ) async throws -> IQ,
                    ownJID: @escaping @Sendable () -> JID?) {
            self.send = send
            self.request = request
            self.ownJID = ownJID
        }
    }

    /// Waits out a delay; false when cut short (cancelled): then nothing is due.
    public typealias Timer = @Sendable (Duration) async -> Bool

    /// Something to do beside the event loop: a send, or a wait and what is due after it.
    typealias Work = @Sendable () async -> Void

    public let settings: FleetSettings
    private let chat: ChatFrontEnd
    private let transport: Transport
    let logger: Logger
    private let account: JID
    private let now: @Sendable () -> ContinuousClock.Instant
    private let wallClock: @Sendable () -> Double
    let timer: Timer
    private let started: ContinuousClock.Instant
    /// The start of the ids of this room's stanzas.
    let idPrefix = "room-" + String(UInt32.random(in: .min ... .max), radix: 36) + "-"

    struct State {
        var membership: RoomMembership
        var occupants = Occupants()
        var presence: PresenceSettings
        /// This bot's messages to the room: `[fleet] rate_burst`, then one per `rate_interval`.
        var roomBudget: RateLimiter<Int>
        /// Lines per occupant (by real account), as `[chat]` limits a contact's lines.
        var occupantLines: RateLimiter<JID>
        /// One log line per occupant and hour about lines not answered.
        var quietLog = RateLimiter<JID>(burst: 1, interval: 3600)
        var budgetLog = RateLimiter<Int>(burst: 1, interval: 60)
        var lostLog = RateLimiter<Int>(burst: 1, interval: 60)
        /// Answers waiting for the bot to be back in the room, and those sent lately.
        var answers = HeldAnswers()
        var saidJIDsHidden = false
        var nextID: UInt64 = 0
    }

    let state: Mutex<State>

    public init(
        settings: FleetSettings, account: JID, chat: ChatFrontEnd, transport: Transport, presence: PresenceSettings,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        wallClock: @escaping @Sendable () -> Double = ChatFrontEnd.secondsSinceEpoch,
        timer: @escaping Timer = { (try? await Task.sleep(for: $0)) != nil }, logger: Logger
    ) {
        self.settings = settings
        self.account = account.bare
        self.chat = chat
        self.transport = transport
        self.now = now
        self.wallClock = wallClock
        self.timer = timer
        started = now()
        var logger = logger
        logger[metadataKey: "room"] = "\(settings.room)"
        self.logger = logger
        let chatSettings = chat.settings
        state = Mutex(State(
            membership: RoomMembership(room: settings.room, account: account, nick: settings.nick, joinTimeout: settings.joinTimeout),
            presence: presence,
            roomBudget: RateLimiter(burst: settings.rateBurst, interval: settings.rateInterval),
            occupantLines: RateLimiter(burst: chatSettings.rateBurst, interval: chatSettings.rateInterval)))
    }

    public var phase: RoomMembership.Phase { state.withLock { $0.membership.phase } }

    // MARK: Running

    /// Follows the client until its events end or the task is cancelled (a reload replacing
    /// `[fleet]`, shutdown), then leaves the room. `online`: the client is logged in already.
    public func run<Events: AsyncSequence, Changes: AsyncSequence & Sendable>(
        events: Events, presenceChanges: Changes, online: Bool
    ) async where Events.Element == ClientEvent, Events.Failure == Never, Changes.Element == PresenceSettings, Changes.Failure == Never {
        await withDiscardingTaskGroup { group in
            group.addTask { [self] in
                for await presence in presenceChanges { await presenceChanged(presence) }
            }
            if online { perform(sessionStarted(), in: &group) }
            for await event in events {
                switch event {
                case .online(let session) where !session.resumed:
                    perform(sessionStarted(), in: &group)
                case .presence(let presence):
                    perform(receive(presence), in: &group)
                case .message(let message):
                    if let work = intake(message) { group.addTask(operation: work) }
                case .stopped:
                    group.cancelAll()
                default:
                    break
                }
            }
            group.cancelAll()
        }
        await leave()
    }

    /// What joining, a retry or the room's configuration leads to, run beside the event loop.
    private func perform(_ work: [Work], in group: inout DiscardingTaskGroup) {
        for item in work { group.addTask(operation: item) }
    }

    func sessionStarted() -> [Work] {
        let actions = state.withLock { state in
            state.occupants.removeAll()
            state.saidJIDsHidden = false
            return state.membership.sessionStarted()
        }
        return work(for: actions)
    }

    /// A presence from the client: the room's are recorded; those about us move the membership.
    /// Back in the room, the answers held meanwhile are posted; out of it for good, they go to
    /// their requesters.
    func receive(_ presence: Presence) -> [Work] {
        guard let roomPresence = RoomPresence(presence, room: settings.room) else { return [] }
        let (actions, moved) = state.withLock { state in
            state.occupants.apply(roomPresence)
            let before = state.membership.phase
            let actions = state.membership.handle(roomPresence)
            if case .joined = state.membership.phase, before != state.membership.phase { state.saidJIDsHidden = false }
            return (actions, before != state.membership.phase)
        }
        return work(for: actions) + (moved ? releaseHeldAnswers() : [])
    }

    /// `[fleet] join_timeout` passed since the join `id`.
    func joinTimedOut(id: String) -> [Work] {
        work(for: state.withLock { $0.membership.joinTimedOut(id: id) })
    }

    /// A retry's delay passed.
    func retryDue(generation: Int) -> [Work] {
        work(for: state.withLock { $0.membership.retryDue(generation: generation) })
    }

    /// Logs at once; returns what sends or waits.
    func work(for actions: [RoomMembership.Action]) -> [Work] {
        var work: [Work] = []
        for action in actions {
            switch action {
            case .log(let level, let text):
                logger.log(level: level, "\(text)")
            case .join(let attempt):
                let presence = state.withLock { $0.presence }
                let join = RoomStanzas.join(settings.room, nick: attempt.nick, id: attempt.id, password: settings.password, presence: presence)
                work.append { [self] in _ = await send(join) }
                work.append { [self] in
                    guard await timer(settings.joinTimeout) else { return }
                    for item in joinTimedOut(id: attempt.id) { await item() }
                }
            case .configureRoom:
                work.append { [self] in await configureRoom() }
            case .retry(let delay, let generation):
                work.append { [self] in
                    guard await timer(delay) else { return }
                    for item in retryDue(generation: generation) { await item() }
                }
            }
        }
        return work
    }

    /// Hands a stanza to the client; false (and logged) when it cannot go.
    func send(_ element: XMLElement) async -> Bool {
        do {
            try await transport.send(element)
            return true
        } catch {
            logger.warning("not sent to the fleet room", metadata: ["to": "\(element[attribute: "to"] ?? "")", "error": "\(error)"])
            return false
        }
    }

    /// The bot's own presence changed: the room sees the same show and status.
    func presenceChanged(_ presence: PresenceSettings) async {
        let nick = state.withLock { state -> String? in
            state.presence = presence
            guard case .joined(let nick) = state.membership.phase else { return nil }
            return nick
        }
        guard let nick else { return }
        _ = await send(RoomStanzas.update(settings.room, nick: nick, presence: presence))
    }

    /// Leaves the room if in it; answers still held go to their requesters.
    func leave() async {
        let (nick, held) = state.withLock { state -> (String?, [RoomAnswer]) in
            defer { state.membership.left() }
            let held = state.answers.release()
            guard case .joined(let nick) = state.membership.phase else { return (nil, held) }
            return (nick, held)
        }
        for answer in held { await deliverPrivately(answer, because: "I left the room") }
        guard let nick else { return }
        _ = await send(RoomStanzas.leave(settings.room, nick: nick))
        logger.info("left the fleet room")
    }

    /// A room we created waits locked for its configuration: members only, non-anonymous.
    private func configureRoom() async {
        do {
            _ = try await transport.request(RoomStanzas.configuration(of: settings.room, id: makeID()))
            logger.notice("configured the new room: members-only, real JIDs visible to occupants, persistent; add its members as its owner")
        } catch {
            logger.error("could not configure the new room (it may stay locked or anonymous): \(error)")
        }
    }

    // MARK: Messages

    /// What a message from the room leads to, decided at once in arrival order.
    func intake(_ message: Message) -> Work? {
        guard let from = message.from, from.bare == settings.room else { return nil }
        let element = message.element
        switch message.kind {
        case .groupchat:
            guard let nick = from.resource else {
                roomAnnounced(element)
                return nil
            }
            guard let ownNick = joinedNick, nick != ownNick, let body = liveBody(of: message) else { return nil }
            let occupants = state.withLock { $0.occupants.nicks }
            switch RoomAddressing.parse(body, nick: ownNick, occupants: occupants) {
            case .me(let line), .everyone(let line):
                return respond(line, from: nick, ownNick: ownNick, privately: false)
            case .other:
                return nil
            }
        case .chat, .normal:
            guard let nick = from.resource, let ownNick = joinedNick, let body = liveBody(of: message) else { return nil }
            return respond(body, from: nick, ownNick: ownNick, privately: true)
        case .error:
            return bounced(message)
        case .headline:
            return nil
        }
    }

    private var joinedNick: String? {
        state.withLock { state in
            guard case .joined(let nick) = state.membership.phase else { return nil }
            return nick
        }
    }

    /// The body of a line typed now: not the room's history, not an automated message (another
    /// bot's answer carries `<no-copy/>`), not a subject change.
    func liveBody(of message: Message) -> String? {
        let element = message.element
        guard element.child("no-copy", namespace: IncomingChat.hintsNamespace) == nil,
              element.child("no-store", namespace: IncomingChat.hintsNamespace) == nil,
              element.child("subject") == nil,
              let body = message.body, !body.trimmingWhitespace().isEmpty
        else { return nil }
        let delays = element.children("delay", namespace: IncomingChat.delayNamespace)
        guard delays.isEmpty || isRecentReplay(delays) else { return nil }
        return body
    }

    /// A `<delay/>` from the room (or from no one) marks its history: never run. One from our
    /// own account or server marks a line sent again after a stream management resumption
    /// (XEP-0198; Prosody stamps its replays so): it runs while younger than `[chat]
    /// stale_after`, as a chat line does.
    private func isRecentReplay(_ delays: [XMLElement]) -> Bool {
        func fromUs(_ delay: XMLElement) -> Bool {
            guard let from = delay[attribute: "from"].flatMap({ try? JID($0) }) else { return false }
            return from == account || (from.isBare && from.localpart == nil && from.domain == account.domain)
        }
        guard delays.allSatisfy(fromUs) else { return false }
        let age = IncomingChat.age(of: delays, now: wallClock())
        guard let age, age <= chat.settings.staleAfter else {
            logger.info("room line delivered late, not run", metadata: ["age": "\(age.map { "\(Int($0)) s" } ?? "unknown")"])
            return false
        }
        return true
    }

    /// A message from the room itself: a configuration change may hide real JIDs from us.
    private func roomAnnounced(_ element: XMLElement) {
        let codes = Set(element.child("x", namespace: RoomNamespace.user)?.children("status").compactMap { $0[attribute: "code"].flatMap { Int($0) } } ?? [])
        guard !codes.isEmpty else { return }
        state.withLock { state in
            let ownNick: String? = if case .joined(let nick) = state.membership.phase { nick } else { nil }
            let moderator = ownNick.flatMap { state.occupants[$0]?.role } == "moderator"
            state.membership.configurationChanged(codes, isModerator: moderator)
            state.saidJIDsHidden = false
        }
    }

    /// Answers an occupant's line by the rules of their real JID; nothing at all for an occupant
    /// we cannot identify or whom no rule admits.
    private func respond(_ text: String, from nick: String, ownNick: String, privately: Bool) -> Work? {
        let seconds = elapsed()
        enum Gate { case pass(JID), hidden, stranger(JID, log: Bool), flooding(JID, log: Bool), unknown }
        let gate = state.withLock { state -> Gate in
            guard let real = state.occupants.realJID(of: nick) else {
                if state.membership.canSeeRealJIDs || state.occupants[nick] == nil { return .unknown }
                defer { state.saidJIDsHidden = true }
                return state.saidJIDsHidden ? .unknown : .hidden
            }
            guard chat.admits(real) else {
                return .stranger(real, log: state.quietLog.admit(real.bare, now: seconds) == .allow)
            }
            switch state.occupantLines.admit(real.bare, now: seconds) {
            case .allow: return .pass(real)
            case .warn: return .flooding(real, log: true)
            case .drop: return .flooding(real, log: false)
            }
        }
        let requester: JID
        switch gate {
        case .pass(let real):
            requester = real
        case .hidden:
            logger.warning("the room does not show real JIDs to us (semi-anonymous, and we are no moderator): lines in it are not answered; make it non-anonymous (whois = anyone)")
            return nil
        case .stranger(let real, let log):
            if log { logger.notice("room occupant no rule admits: not answered", metadata: ["nick": "\(nick)", "jid": "\(real)"]) }
            return nil
        case .flooding(let real, let log):
            if log { logger.notice("room occupant sends too many lines: not answered for a while", metadata: ["nick": "\(nick)", "jid": "\(real)"]) }
            return nil
        case .unknown:
            return nil
        }
        let place: RoomAnswer.Place = privately ? .occupant(nick: nick) : .room
        let bot = transport.ownJID()
        let turn = ConversationTurn(
            requester: requester, key: .room(settings.room, occupant: requester), bot: bot, helpFooter: Self.helpFooter(nick: ownNick, bot: bot))
        switch chat.conversation.take(text, turn: turn) {
        case .immediate(let reply):
            return { [self] in await deliver(RoomAnswer(body: reply, place: place, requester: requester)) }
        case .pending(let line):
            return { [self] in await deliver(RoomAnswer(body: await line.answer(), place: place, requester: requester)) }
        }
    }

    /// What `help` adds in a room: how to address the bot, and that forms stay at its own JID.
    static func helpFooter(nick: String, bot: JID?) -> String {
        var text = "In the room: '\(nick): command' for me, 'all: command' for every bot."
        if let bot { text += " Ad-hoc commands (forms) stay at my own address: " + XMPPURI.commandList(at: bot) }
        return text
    }

    func makeID() -> String {
        let number = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return idPrefix + String(number)
    }

    func elapsed() -> Double {
        let (seconds, attoseconds) = (now() - started).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
