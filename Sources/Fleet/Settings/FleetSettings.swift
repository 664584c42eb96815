import XMPPClient
import XMPPCore

/// `[fleet]`: the multi-user chat room (XEP-0045) where a fleet of bots meets.
public struct FleetSettings: Sendable, Equatable {
    /// The room's bare JID, such as `fleet@conference.example.org`.
    public var room: JID
    /// The nick the bot asks for; on a conflict it tries `nick-2`, `nick-3`…
    public var nick: String
    /// The room's password, if it has one.
    public var password: Secret?
    /// Messages this bot may send to the room at once, then one per `rateInterval` seconds.
    public var rateBurst = FleetSettings.defaultRateBurst
    public var rateInterval = FleetSettings.defaultRateInterval
    /// How long the room has to answer a join before the bot logs it and tries again.
    public var joinTimeout = RoomMembership.defaultJoinTimeout

    public static let defaultRateBurst = 5
    public static let defaultRateInterval: Double = 2

    public init(room: JID, nick: String, password: Secret? = nil) {
        self.room = room
        self.nick = nick
        self.password = password
    }

    /// Longest nick asked for: rooms cut or refuse longer ones, and `-N` must still fit.
    public static let maximumNickLength = 64
}
