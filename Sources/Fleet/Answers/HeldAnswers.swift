import XMPPCore

/// An answer on its way to the room, or to one occupant through it.
public struct RoomAnswer: Sendable, Equatable {
    public enum Place: Sendable, Equatable {
        case room
        /// To the occupant who asked privately, found again by `requester` when it is sent.
        case occupant(nick: String)
    }

    public var body: String
    public var place: Place
    /// Who asked, by real JID: where the answer goes when the room cannot take it.
    public var requester: JID
    /// It waited for the bot to be back in the room: over the room's budget now, it goes to its
    /// requester instead of nowhere.
    public var delayed = false
    /// The room refused it once already.
    public var bounced = false

    public init(body: String, place: Place, requester: JID) {
        self.body = body
        self.place = place
        self.requester = requester
    }
}

/// Answers not surely delivered yet. Those ready while the bot is out of the room (kicked, the
/// server restarted) are held and posted when it is back; those sent lately are remembered, so
/// an answer the room bounces (the bot was kicked as it sent, a new session re-sent it before
/// rejoining) can be held again. Both kinds are bounded in count and age: a held answer that
/// must leave goes to its requester privately; a sent one that leaves was not bounced so far.
public struct HeldAnswers: Sendable {
    public struct Limits: Sendable {
        /// Answers held at once; past it the oldest go to their requesters.
        public var capacity: Int
        /// Seconds an answer waits for the bot to be back in the room.
        public var maximumAge: Double
        /// Sent answers remembered, and for how many seconds: a bounce comes within a round
        /// trip, or right after a new session re-sends what the old one had not confirmed.
        public var sentCapacity: Int
        public var sentWindow: Double

        /// A kicked bot is back in seconds; a server restart costs the reconnect backoff (up to a
        /// minute) and a join.
        public static let standard = Limits(capacity: 20, maximumAge: 120, sentCapacity: 32, sentWindow: 300)
    }

    public let limits: Limits
    private var held: [(answer: RoomAnswer, since: Double)] = []
    private var sent: [(id: String, to: JID, answer: RoomAnswer, at: Double)] = []

    public init(limits: Limits = .standard) {
        self.limits = limits
    }

    /// How many answers wait for the bot to be back in the room.
    public var count: Int { held.count }

    /// Holds `answer`; returns the oldest held answers that no longer fit.
    public mutating func hold(_ answer: RoomAnswer, now: Double) -> [RoomAnswer] {
        var answer = answer
        answer.delayed = true
        held.append((answer, now))
        let overflow = max(0, held.count - limits.capacity)
        defer { held.removeFirst(overflow) }
        return held.prefix(overflow).map(\.answer)
    }

    /// Every held answer, oldest first; none is held afterwards.
    public mutating func release() -> [RoomAnswer] {
        defer { held.removeAll() }
        return held.map(\.answer)
    }

    /// The answers held for longer than `maximumAge`.
    public mutating func expire(now: Double) -> [RoomAnswer] {
        let old = held.filter { now - $0.since >= limits.maximumAge }
        held.removeAll { now - $0.since >= limits.maximumAge }
        return old.map(\.answer)
    }

    /// `answer` was handed to the server as the message `id` to `to` (the room, or an occupant).
    public mutating func sent(_ answer: RoomAnswer, id: String, to: JID, now: Double) {
        sent.removeAll { now - $0.at > limits.sentWindow }
        sent.append((id, to, answer, now))
        if sent.count > limits.sentCapacity { sent.removeFirst(sent.count - limits.sentCapacity) }
    }

    /// The message `id` bounced with an error from `from` (or could not be sent to it): the
    /// answer it carried, if still remembered and `from` is where it was sent (an occupant, who
    /// sees our answers' ids, cannot bounce one sent to the room or to someone else).
    public mutating func takeBack(id: String, from: JID) -> RoomAnswer? {
        guard let index = sent.firstIndex(where: { $0.id == id && $0.to == from }) else { return nil }
        return sent.remove(at: index).answer
    }
}
