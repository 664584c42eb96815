import Chat
import Fleet
import Logging
import XMPPClient
import XMPPCore

/// The fleet room: joined while `[fleet]` is configured, with the bot's presence as room
/// presence; its lines answered through the chat front end.
extension Daemon {
    /// Runs the room with `settings` until cancelled (a reload changing `[fleet]`, shutdown),
    /// then leaves it; with nil, does nothing.
    static func runFleet(_ settings: FleetSettings?, chat: ChatFrontEnd, presence: PresenceArbiter, client: XMPPClient, logger: Logger) async {
        guard let settings else { return }
        var fleetLogger = logger
        fleetLogger[metadataKey: "component"] = "fleet"
        let transport = FleetRoom.Transport(
            send: { [client] element in try await client.send(element) },
            request: { [client] iq in try await client.request(iq) },
            ownJID: { [client] in client.boundJID })
        let room = FleetRoom(
            settings: settings, account: client.configuration.account, chat: chat, transport: transport,
            presence: presence.effective, logger: fleetLogger)
        // Subscribed before asking whether we are online: a login in between is seen either way.
        let events = client.events { event in
            switch event {
            case .online, .presence, .message, .stopped: true
            case .offline, .rosterChanged, .answerDelivered: false
            }
        }
        let changes = presence.changes()
        await room.run(events: events, presenceChanges: changes, online: client.isOnline)
    }
}

/// The room's lines and private messages through it are the fleet room's, not the chat's.
extension Message {
    func comes(from room: JID?) -> Bool {
        guard let room, let from else { return false }
        return from.bare == room.bare
    }
}
