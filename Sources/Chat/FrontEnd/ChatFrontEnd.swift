import Commands
import Logging
import Synchronization
import XMPPCore
#if canImport(Glibc)
import Glibc
#endif

/// How long the chat waits before it shows activity, and gathers stale lines.
public struct ChatTiming: Sendable {
    /// A command running this long shows the contact "composing" (XEP-0085).
    public var composingAfter: Duration
    /// Lines delivered late (offline storage) within this time get one notice together.
    public var staleWindow: Duration

    public init(composingAfter: Duration = .seconds(1), staleWindow: Duration = .seconds(2)) {
        self.composingAfter = composingAfter
        self.staleWindow = staleWindow
    }
}

/// The chat front end: commands typed as plain messages, for clients with no command UI
/// (Conversations, Monal, Dino…), over the same command core as the XEP-0050 front end.
///
/// Socket-free: it gets each incoming `<message/>` and a closure that sends stanzas. What a
/// message is (a line, a stale line, something never answered) is `IncomingChat`'s call; who
/// may chat, floods, receipts, chat states and stale lines are handled here; the dialogue
/// itself is `CommandConversation`'s, which knows nothing of stanzas.
public final class ChatFrontEnd: Sendable {
    public typealias Send = @Sendable (XMLElement) async -> Void

    public let conversation: CommandConversation
    private let engine: CommandEngine
    private let send: Send
    private let ownJID: @Sendable () -> JID?
    private let timing: ChatTiming
    private let now: @Sendable () -> ContinuousClock.Instant
    private let wallClock: @Sendable () -> Double
    private let started: ContinuousClock.Instant
    private let logger: Logger
    private let stanzaPrefix = String(UInt32.random(in: .min ... .max), radix: 36)

    private struct State {
        var settings: ChatSettings
        var contacts: RateLimiter<JID>
        /// Strangers' lines that may reach the refusal hook: bounded like contacts' lines.
        var strangers: RateLimiter<JID>
        /// One log line per stranger and hour.
        var strangerLog = RateLimiter<JID>(burst: 1, interval: 3600)
        var stale = StaleLines()
        var nextID: UInt64 = 0

        init(settings: ChatSettings) {
            self.settings = settings
            contacts = RateLimiter(burst: settings.rateBurst, interval: settings.rateInterval)
            strangers = RateLimiter(burst: settings.rateBurst, interval: settings.rateInterval)
        }
    }

    private let state: Mutex<State>

    /// `ownJID` is our full JID while online; `wallClock` is seconds since the epoch, for the
    /// age of delayed messages.
    public init(
        engine: CommandEngine, settings: ChatSettings, ownJID: @escaping @Sendable () -> JID?, send: @escaping Send,
        timing: ChatTiming = ChatTiming(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        wallClock: @escaping @Sendable () -> Double = ChatFrontEnd.secondsSinceEpoch,
        logger: Logger = Logger(label: "adhocd.chat")
    ) {
        self.engine = engine
        conversation = CommandConversation(engine: engine, aliases: settings.aliases, now: now, logger: logger)
        self.ownJID = ownJID
        self.send = send
        self.timing = timing
        self.now = now
        self.wallClock = wallClock
        started = now()
        self.logger = logger
        state = Mutex(State(settings: settings))
    }

    public var settings: ChatSettings { state.withLock { $0.settings } }

    /// Follows a reload: new settings apply from the next message; open dialogues stay.
    /// Returns whether anything changed.
    @discardableResult
    public func apply(_ settings: ChatSettings) -> Bool {
        let changed = state.withLock { state in
            guard state.settings != settings else { return false }
            if state.settings.rateBurst != settings.rateBurst || state.settings.rateInterval != settings.rateInterval {
                state.contacts = RateLimiter(burst: settings.rateBurst, interval: settings.rateInterval)
                state.strangers = RateLimiter(burst: settings.rateBurst, interval: settings.rateInterval)
            }
            state.settings = settings
            return true
        }
        if changed { conversation.aliases = settings.aliases }
        return changed
    }

    // MARK: Messages

    /// Answers messages until the sequence ends (or the task is cancelled). Each message is taken
    /// in arrival order; answers run side by side, one line at a time per contact.
    public func run<Messages: AsyncSequence>(_ messages: Messages) async where Messages.Element == Message, Messages.Failure == Never {
        await withDiscardingTaskGroup { group in
            for await message in messages {
                if let work = intake(message) { group.addTask(operation: work) }
            }
        }
    }

    /// Takes one message and waits for everything it leads to (its answer, or a stale notice).
    public func receive(_ message: Message) async {
        await intake(message)?()
    }

    /// What a message leads to, decided at once in arrival order; the returned work sends it.
    func intake(_ message: Message) -> (@Sendable () async -> Void)? {
        let settings = self.settings
        guard settings.enabled else { return nil }
        let bot = ownJID()
        switch IncomingChat.classify(message, ownJID: bot, now: wallClock(), staleAfter: settings.staleAfter) {
        case .ignored(let reason):
            logger.trace("chat message ignored", metadata: ["reason": "\(reason.rawValue)"])
            return nil

        case .stale(let text, let from, let age):
            guard admits(from, settings) else { return stranger(from, text: nil) }
            logger.info("chat line delivered late, not run", metadata: ["jid": "\(from)", "age": "\(age.map { "\(Int($0)) s" } ?? "unknown")"])
            let receipt = message.receiptRequest.map { ChatStanzas.receipt(for: $0, to: from, id: makeID()) }
            let opens = state.withLock { $0.stale.add(text, age: age, from: from) }
            return { [self] in
                if let receipt { await send(receipt) }
                guard opens else { return }
                try? await Task.sleep(for: timing.staleWindow)
                guard let (contact, notice) = state.withLock({ $0.stale.close(from) }) else { return }
                await send(ChatStanzas.answer(notice, to: contact, id: makeID()))
            }

        case .line(let text, let from, let id, let wantsReceipt):
            guard admits(from, settings) else { return stranger(from, text: text) }
            let seconds = elapsed()
            switch state.withLock({ $0.contacts.admit(from.bare, now: seconds) }) {
            case .drop:
                return nil
            case .warn(let retryAfter):
                logger.notice("chat: too many lines, slowing down", metadata: ["jid": "\(from)"])
                let wait = max(1, Int(retryAfter.rounded(.up)))
                let reply = ChatStanzas.answer("Slow down: too many messages at once. What you send in the next \(wait) s is not run.", to: from, id: makeID())
                return { [send] in await send(reply) }
            case .allow:
                break
            }
            let receipt = wantsReceipt ? id.map { ChatStanzas.receipt(for: $0, to: from, id: makeID()) } : nil
            let turn = ConversationTurn(requester: from, key: .chat(with: from), bot: bot)
            switch conversation.take(text, turn: turn) {
            case .immediate(let reply):
                return { [self] in
                    if let receipt { await send(receipt) }
                    await send(ChatStanzas.answer(reply, to: from, id: makeID()))
                }
            case .pending(let line):
                return { [self] in
                    if let receipt { await send(receipt) }
                    let reply = await composing(to: from) {
                        await RequestOrigin.$current.withValue(RequestOrigin(.chat, requestID: id)) { await line.answer() }
                    }
                    await send(ChatStanzas.answer(reply, to: from, id: makeID()))
                }
            }
        }
    }

    /// Whether `contact` may chat at all, under the settings in force now (the fleet room asks
    /// this about an occupant's real JID).
    public func admits(_ contact: JID) -> Bool {
        admits(contact, settings)
    }

    /// Who may chat at all: `[chat] deny` never; `[chat] allow` if set, else whoever some
    /// command's rules admit.
    func admits(_ contact: JID, _ settings: ChatSettings) -> Bool {
        if !settings.deny.isEmpty, engine.permits(contact, AccessPolicy(allow: settings.deny)) { return false }
        if let allow = settings.allow { return engine.permits(contact, AccessPolicy(allow: allow)) }
        return engine.admitsAnyCommand(contact)
    }

    /// A contact the chat does not admit gets no answer at all (no list, no nodes, not even a
    /// receipt). A line naming a real node still reaches the engine, which refuses it and tells
    /// its refusal hook (the commands.d audit), as a command request from them would.
    private func stranger(_ contact: JID, text: String?) -> (@Sendable () async -> Void)? {
        let seconds = elapsed()
        let (logIt, admitted) = state.withLock { state in
            return (state.strangerLog.admit(contact.bare, now: seconds) == .allow, state.strangers.admit(contact.bare, now: seconds) == .allow)
        }
        if logIt { logger.notice("chat from a contact no rule admits: not answered", metadata: ["jid": "\(contact)"]) }
        guard admitted, let text, let line = TypedLine(text), engine.registry.command(for: line.head) != nil else { return nil }
        let submitted = InlineValues(rest: line.rest).submitted
        return { [engine] in _ = try? await engine.resolve(line.head, for: contact, submitted: submitted) }
    }

    /// Runs `body`; if it takes longer than `composingAfter`, the contact sees "composing" first.
    /// The chat state is sent, if at all, before the answer: the group waits for it.
    private func composing(to contact: JID, _ body: () async -> String) async -> String {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                guard (try? await Task.sleep(for: timing.composingAfter)) != nil else { return }
                await send(ChatStanzas.composing(to: contact, id: makeID()))
            }
            let reply = await body()
            group.cancelAll()
            await group.waitForAll()
            return reply
        }
    }

    private func makeID() -> String {
        let number = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return "chat-\(stanzaPrefix)-\(number)"
    }

    /// Seconds since this front end started, for the rate limiters.
    private func elapsed() -> Double {
        let (seconds, attoseconds) = (now() - started).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    public static let secondsSinceEpoch: @Sendable () -> Double = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
