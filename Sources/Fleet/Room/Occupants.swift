import XMPPCore

/// Who is in the room now, by nick, with the real JID behind each nick where the room shows it:
/// what permissions are decided by. Kept from the room's presences.
public struct Occupants: Sendable, Equatable {
    public struct Occupant: Sendable, Equatable {
        public var realJID: JID?
        public var role: String?
    }

    private var byNick: [String: Occupant] = [:]

    /// Rooms hold hundreds, not millions: past this, presences of new nicks are not tracked
    /// (those occupants get no answer, as if their real JID were hidden).
    public static let capacity = 10_000

    public init() {}

    /// Follows one presence from the room: an available occupant is (re)recorded, an
    /// unavailable one (left, kicked, banned, or renamed under 303) forgotten. Errors change nothing.
    public mutating func apply(_ presence: RoomPresence) {
        switch presence.kind {
        case .available:
            guard byNick[presence.nick] != nil || byNick.count < Self.capacity else { return }
            byNick[presence.nick] = Occupant(realJID: presence.realJID, role: presence.role)
        case .unavailable:
            byNick[presence.nick] = nil
        case .error:
            break
        }
    }

    /// Everyone left (our own session ended, or we left): the next join lists them again.
    public mutating func removeAll() {
        byNick.removeAll()
    }

    public subscript(nick: String) -> Occupant? { byNick[nick] }

    /// The real JID behind a nick, if the occupant is known and the room shows it.
    public func realJID(of nick: String) -> JID? { byNick[nick]?.realJID }

    /// The nick the account behind `realJID` holds now: `nick` while still theirs, else another
    /// of theirs (they changed nick), else nil (they left; the nick may be someone else's).
    public func nick(of realJID: JID, preferring nick: String) -> String? {
        if byNick[nick]?.realJID?.bare == realJID.bare { return nick }
        return byNick.first { $0.value.realJID?.bare == realJID.bare }?.key
    }

    public var count: Int { byNick.count }

    public var nicks: Dictionary<String, Occupant>.Keys { byNick.keys }
}
