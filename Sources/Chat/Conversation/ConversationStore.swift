import Synchronization
import XMPPCore

/// Whose dialogue a line belongs to. A chat with a contact has one; a room one per occupant's
/// real account (in the room and in private messages through the room alike). Kept apart from the requester (whose rules apply) and from where answers go.
public struct ConversationKey: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// A one-to-one chat: one dialogue per account, whichever of its clients writes.
    public static func chat(with contact: JID) -> ConversationKey { ConversationKey("chat:\(contact.bare)") }

    /// A room's occupant, by the real JID behind the nick: a nick change keeps the dialogue.
    public static func room(_ room: JID, occupant: JID) -> ConversationKey { ConversationKey("room:\(room.bare) \(occupant.bare)") }

    public var description: String { value }
}

/// What a conversation remembers between lines.
struct ConversationState: Sendable {
    /// The nodes of the last list of commands shown, by number from 1; nil once another
    /// numbered list (a question's options) was shown, so a late "2" never starts a command.
    var numbering: [String]?
    var dialogue: Dialogue?
}

/// Every conversation's state, one line at a time each, within a bounded memory.
///
/// A line takes its conversation's state out (`begin`) and puts it back when answered (`end`);
/// a line arriving meanwhile is told what still runs. Reserving happens in arrival order,
/// before any waiting, so two lines of one contact are never answered out of order.
final class ConversationStore: Sendable {
    private struct Entry {
        var state = ConversationState()
        /// What runs now, for "still running …"; nil when idle.
        var running: String?
        var lastUsed: ContinuousClock.Instant
    }

    private let entries = Mutex<[ConversationKey: Entry]>([:])
    private let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    init(capacity: Int = 10_000, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.capacity = capacity
        self.now = now
    }

    enum Reservation {
        case ready(ConversationState)
        /// Another line of this conversation is being answered: what it runs.
        case busy(String)
    }

    /// `line` names what runs until the line is resolved to a command.
    func begin(_ key: ConversationKey, line: String) -> Reservation {
        let current = now()
        return entries.withLock { entries in
            if let running = entries[key]?.running { return .busy(running) }
            if entries[key] == nil, entries.count >= capacity { forgetIdle(&entries) }
            var entry = entries[key] ?? Entry(lastUsed: current)
            entry.running = entry.state.dialogue?.run.name ?? "'\(line)'"
            entry.lastUsed = current
            entries[key] = entry
            return .ready(entry.state)
        }
    }

    /// Names what the reserved line turned out to run, for lines that arrive meanwhile.
    func setRunning(_ key: ConversationKey, _ name: String) {
        entries.withLock { entries in
            if entries[key]?.running != nil { entries[key]?.running = name }
        }
    }

    func end(_ key: ConversationKey, with state: ConversationState) {
        let current = now()
        entries.withLock { entries in
            if state.numbering == nil, state.dialogue == nil {
                entries[key] = nil
            } else {
                entries[key] = Entry(state: state, running: nil, lastUsed: current)
            }
        }
    }

    var count: Int { entries.withLock { $0.count } }

    /// Makes room: idle conversations without a dialogue go first, oldest first; if that is
    /// not enough, the oldest idle ones. Busy ones stay.
    private func forgetIdle(_ entries: inout [ConversationKey: Entry]) {
        let idle = entries.filter { $0.value.running == nil }
        let order = idle.sorted { ($0.value.state.dialogue == nil ? 0 : 1, $0.value.lastUsed) < ($1.value.state.dialogue == nil ? 0 : 1, $1.value.lastUsed) }
        for (key, _) in order.prefix(max(1, entries.count - capacity + 1 + capacity / 10)) { entries[key] = nil }
    }
}
