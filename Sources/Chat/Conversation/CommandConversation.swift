import Commands
import Logging
import Synchronization
import XMPPCore

/// Who typed a line, whose dialogue it belongs to, and who we are: a one-to-one chat has the
/// contact for both; a fleet room answers in the room but applies the occupant's real JID's rules.
public struct ConversationTurn: Sendable {
    /// The full JID whose rules apply and who owns the command's session.
    public var requester: JID
    public var key: ConversationKey
    /// Our own full JID, for `xmpp:` links; nil while offline.
    public var bot: JID?
    /// A last line for `help` where the place needs one (a room: how to address the bot).
    public var helpFooter: String?

    public init(requester: JID, key: ConversationKey, bot: JID?, helpFooter: String? = nil) {
        self.requester = requester
        self.key = key
        self.bot = bot
        self.helpFooter = helpFooter
    }
}

/// The chat dialogue over the command core: a typed line in, the answer text out.
///
/// Every decision about who may run what, sessions, validation and expiry is the engine's, as
/// for the XEP-0050 front end; this only turns stages into questions and answers into values.
/// It knows nothing of stanzas, so a groupchat front end can reuse it (`ConversationTurn`).
public final class CommandConversation: Sendable {
    let engine: CommandEngine
    let store: ConversationStore
    private let aliasList: Mutex<[ChatAlias]>
    let logger: Logger
    let outcomes = OutcomeText.standard
    let lists = HelpText()

    public init(engine: CommandEngine, aliases: [ChatAlias] = [], now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
                logger: Logger = Logger(label: "adhocd.chat")) {
        self.engine = engine
        store = ConversationStore(now: now)
        aliasList = Mutex(aliases)
        self.logger = logger
    }

    public var aliases: [ChatAlias] {
        get { aliasList.withLock { $0 } }
        set { aliasList.withLock { $0 = newValue } }
    }

    /// How many conversations are remembered (for tests of the bound).
    public var rememberedCount: Int { store.count }

    // MARK: Lines

    /// A line taken in arrival order: answered at once (another line of the same conversation
    /// is still being answered), or waiting to be answered.
    public enum Intake: Sendable {
        case immediate(String)
        case pending(PendingLine)
    }

    /// Reserves the conversation for this line. Call in arrival order; answer every pending line.
    public func take(_ text: String, turn: ConversationTurn) -> Intake {
        let head = TypedLine(text)?.head.abbreviated(to: 40) ?? ""
        switch store.begin(turn.key, line: head) {
        case .busy(let running):
            return .immediate("Still running \(running)… '\(text.trimmingWhitespace().abbreviated(to: 40))' was not run; send it again after the answer.")
        case .ready(let state):
            return .pending(PendingLine(conversation: self, text: text, turn: turn, state: state))
        }
    }

    /// Answers one line at once (reserving and answering): for callers that need no ordering.
    public func answer(_ text: String, turn: ConversationTurn) async -> String {
        switch take(text, turn: turn) {
        case .immediate(let reply): reply
        case .pending(let line): await line.answer()
        }
    }

    func respond(_ text: String, turn: ConversationTurn, state: inout ConversationState) async -> String {
        let line = text.trimmingWhitespace()
        if let dialogue = state.dialogue {
            // The session may have ended while the contact was away: say so, and read nothing
            // into the line (a "yes" or a "2" meant for the old question must run nothing).
            do {
                _ = try engine.session(dialogue.run.sessionID, for: turn.requester)
                // Rules may have changed since the last line: a withdrawn command ends here.
                _ = try await engine.resolve(dialogue.run.node, for: turn.requester, session: dialogue.run.sessionID)
            } catch {
                state.dialogue = nil
                return Self.failureText(error, name: dialogue.run.name)
            }
            return await continueDialogue(dialogue, with: line, turn: turn, state: &state)
        }
        return await command(line, turn: turn, state: &state)
    }

    // MARK: Commands

    /// A line outside any dialogue: help, or a command to start.
    func command(_ line: String, turn: ConversationTurn, state: inout ConversationState) async -> String {
        switch line.lowercased() {
        case "help", "?", "commands":
            let entries = engine.available(for: turn.requester).map { CommandResolver.Entry(node: $0.node, name: $0.name) }
            state.numbering = entries.map(\.node)
            let nodes = Set(state.numbering ?? [])
            return lists.help(entries, aliases: aliases.filter { nodes.contains($0.target.head) }, bot: turn.bot, footer: turn.helpFooter)
        case "cancel", "back", "done":
            return "Nothing is running. Type help for the commands you may run."
        default:
            break
        }
        guard let typed = TypedLine(line) else { return "Type help for the commands you may run." }
        let entries = engine.available(for: turn.requester).map { CommandResolver.Entry(node: $0.node, name: $0.name) }
        let resolution: CommandResolver.Resolution
        if let alias = aliases.first(where: { $0.name == typed.head.lowercased() }) {
            // An alias names its node exactly: never a prefix of some other command.
            let target = alias.expanded(with: typed.rest)
            resolution = .command(node: target.head, rest: target.rest)
        } else {
            switch CommandResolver.resolve(typed, among: entries, numbering: state.numbering) {
            case .unknown where engine.registry.command(for: typed.head) != nil:
                // A real node this contact may not run: the engine refuses it (and its audit
                // hears of it) exactly as on the XEP-0050 path; answered like an unknown word.
                resolution = .command(node: typed.head, rest: typed.rest)
            case let other:
                resolution = other
            }
        }
        switch resolution {
        case .command(let node, let rest):
            return await start(node, word: typed.head, rest: rest, turn: turn, state: &state)
        case .ambiguous(let found):
            state.numbering = found.map(\.node)
            return lists.choices(typed.head, found)
        case .unknown:
            return Self.unknown(typed.head)
        case .noSuchNumber(let number):
            guard state.numbering != nil else { return "Type help first: a number picks from its list." }
            return "There is no command number \(number.map(String.init) ?? typed.head.abbreviated(to: 20)); type help for the list."
        }
    }

    static func unknown(_ word: String) -> String {
        "I don't know '\(word.abbreviated(to: 40))'. Type help for the commands you may run."
    }

    private func start(_ node: String, word: String, rest: String, turn: ConversationTurn, state: inout ConversationState) async -> String {
        let inline = InlineValues(rest: rest)
        let name = engine.command(node, for: turn.requester)?.name ?? node
        store.setRunning(turn.key, name)
        let answer: CommandAnswer
        do {
            answer = try await engine.start(node, for: turn.requester, ownership: .account, submitted: inline.submitted)
        } catch .notFound {
            return Self.unknown(word)
        } catch {
            return Self.failureText(error, name: name)
        }
        var run = Dialogue.Run(node: answer.node, name: name, sessionID: answer.sessionID, inline: inline)
        if let stray = run.inline.takeStrayWords() { run.notes.append(stray) }
        return await present(answer, run: run, turn: turn, state: &state)
    }

    // MARK: Answers of the engine

    /// Shows where the command stands after the engine answered: its outcome, or its next
    /// question (kept as the conversation's dialogue).
    func present(_ answer: CommandAnswer, run: Dialogue.Run, turn: ConversationTurn, state: inout ConversationState) async -> String {
        switch answer.state {
        case .completed(let outcome):
            state.dialogue = nil
            return lines(run.notes, run.inline.unusedNote(name: run.name), outcomeText(outcome, node: run.node, bot: turn.bot))
        case .canceled:
            state.dialogue = nil
            return lines(run.notes, Self.canceled(run))
        case .asking(let stage):
            return await show(stage, problems: [], canGoBack: answer.canGoBack, run: run, turn: turn, state: &state)
        case .rejected(let stage, let problems):
            return await show(stage, problems: problems, canGoBack: answer.canGoBack, run: run, turn: turn, state: &state)
        }
    }

    func outcomeText(_ outcome: CommandOutcome, node: String, bot: JID?) -> String {
        switch outcome {
        case .note(let text, let severity):
            let level: OutcomeText.NoteSeverity = switch severity {
            case .info: .info
            case .warn: .warn
            case .error: .error
            }
            return outcomes.note(text.isEmpty ? "Done." : text, severity: level)
        case .form(let form):
            return outcomes.form(form, link: bot.map { XMPPURI.command(node: node, at: $0) })
        case .failure(let text):
            return outcomes.note(text.isEmpty ? "The command failed." : text, severity: .error)
        }
    }

    static func canceled(_ run: Dialogue.Run) -> String {
        run.hasSubmitted ? "Cancelled \(run.name)." : "Cancelled \(run.name); nothing was run."
    }

    /// What a failure of the engine means to the contact.
    static func failureText(_ failure: CommandFailure, name: String) -> String {
        switch failure {
        case .notFound: "\(name) is no longer available to you; nothing more was run."
        case .unknownSession: "\(name) has ended. Type help for the commands you may run."
        case .sessionEnded(let end): "The command \(end)."
        case .sessionBusy: "Still running \(name)…"
        case .noPreviousStage, .notTheLastStage, .tooManySessions: sentence(failure.description)
        }
    }

    /// Non-empty parts, one a line.
    func lines(_ parts: String?...) -> String {
        parts.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// Lines first, then non-empty parts.
    func lines(_ header: [String], _ parts: String?...) -> String {
        (header + parts.compactMap { $0 }).filter { !$0.isEmpty }.joined(separator: "\n")
    }

    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst() + (text.hasSuffix(".") ? "" : ".")
    }
}

/// A line waiting for its answer, its conversation reserved for it.
public struct PendingLine: Sendable {
    let conversation: CommandConversation
    let text: String
    let turn: ConversationTurn
    let state: ConversationState

    /// Answers the line and frees its conversation for the next one.
    public func answer() async -> String {
        var state = state
        let reply = await conversation.respond(text, turn: turn, state: &state)
        conversation.store.end(turn.key, with: state)
        return reply
    }
}
