import XMPPCore

/// A presence from the room about one occupant (or about the bot itself), as XEP-0045 sends it.
public struct RoomPresence: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case available
        case unavailable
        /// The room refused what we sent (a join, usually).
        case error(StanzaError)
    }

    public var nick: String
    public var kind: Kind
    /// The stanza's id: an error carries the id of what it answers (our join).
    public var id: String?
    /// `<status code='…'/>` of the `muc#user` payload: 110 this is us, 201 room created,
    /// 307 kicked, 301 banned, 303 nick changed, 100 real JIDs visible to all…
    public var statusCodes: Set<Int>
    /// The occupant's real JID, when the room shows it to us.
    public var realJID: JID?
    public var role: String?
    public var affiliation: String?
    /// The new nick of an occupant leaving under status 303.
    public var newNick: String?
    /// The room was destroyed (`<destroy/>`).
    public var destroyed: Bool
    /// Why, and the room its owner points occupants to, when the `<destroy/>` says.
    public var destroyReason: String?
    public var alternateRoom: String?
    public var show: Presence.Show
    public var status: String?

    /// The presence read as the room's, or nil when it does not come from an occupant of `room`.
    public init?(_ presence: Presence, room: JID) {
        guard let from = presence.from, from.bare == room.bare, let nick = from.resource else { return nil }
        self.nick = nick
        id = presence.element[attribute: "id"]
        switch presence.kind {
        case .available: kind = .available
        case .unavailable: kind = .unavailable
        case .error: kind = .error(presence.element.child("error").map(StanzaError.init(element:)) ?? StanzaError(.undefinedCondition))
        default: return nil
        }
        let user = presence.element.child("x", namespace: RoomNamespace.user)
        statusCodes = Set(user?.children("status").compactMap { $0[attribute: "code"].flatMap { Int($0) } } ?? [])
        let item = user?.child("item")
        realJID = item?[attribute: "jid"].flatMap { try? JID($0) }
        role = item?[attribute: "role"]
        affiliation = item?[attribute: "affiliation"]
        newNick = item?[attribute: "nick"]
        let destroy = user?.child("destroy")
        destroyed = destroy != nil
        destroyReason = destroy?.childText("reason")
        alternateRoom = destroy?[attribute: "jid"]
        show = presence.show
        status = presence.status
    }

    public var isSelf: Bool { statusCodes.contains(RoomStatus.selfPresence) }
}

/// The XEP-0045 status codes the bot acts on.
public enum RoomStatus {
    /// Every occupant sees real JIDs (a non-anonymous room).
    public static let nonAnonymous = 100
    /// This presence is about the recipient itself.
    public static let selfPresence = 110
    /// The room was made non-anonymous / semi-anonymous by a configuration change.
    public static let nowNonAnonymous = 172
    public static let nowSemiAnonymous = 173
    /// The room was created by this join: it waits for its owner's configuration.
    public static let created = 201
    /// The service changed (or assigned) our nick.
    public static let nickAssigned = 210
    public static let banned = 301
    public static let nickChanged = 303
    public static let kicked = 307
    /// Removed: affiliation changed, or the room became members-only.
    public static let affiliationChanged = 321
    public static let membersOnly = 322
    /// The service is shutting down.
    public static let shutdown = 332
}

/// The XEP-0045 namespaces.
public enum RoomNamespace {
    public static let muc = "http://jabber.org/protocol/muc"
    public static let user = "http://jabber.org/protocol/muc#user"
    public static let owner = "http://jabber.org/protocol/muc#owner"
    public static let roomConfiguration = "http://jabber.org/protocol/muc#roomconfig"
}
