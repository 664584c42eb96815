import XMPPClient
import XMPPCore

/// What the bot sends to the room: its presence there, answers, the new room's configuration.
public enum RoomStanzas {
    /// Joining (XEP-0045 §7.2): presence to `room/nick` with the MUC payload, asking for no
    /// history (old lines must never run again), and the password if the room has one. It carries
    /// the bot's show and status, so the occupant list shows the machine's health at once. The
    /// room's answer (an error at least) carries `id`.
    public static func join(_ room: JID, nick: String, id: String, password: Secret?, presence: PresenceSettings) -> XMLElement {
        var element = update(room, nick: nick, presence: presence)
        element[attribute: "id"] = id
        var muc = XMLElement("x", namespace: RoomNamespace.muc)
        muc.append(XMLElement("history", namespace: RoomNamespace.muc, ["maxstanzas": "0"]))
        if let password { muc.append(XMLElement("password", namespace: RoomNamespace.muc, text: password.value)) }
        element.append(muc)
        return element
    }

    /// The bot's show and status in the room, following its own presence. No priority: it
    /// means nothing to a room.
    public static func update(_ room: JID, nick: String, presence: PresenceSettings) -> XMLElement {
        Presence(to: occupant(room, nick: nick), show: presence.show, status: presence.status).element
    }

    /// Leaving the room (a reload that changes `[fleet]`, shutdown).
    public static func leave(_ room: JID, nick: String) -> XMLElement {
        Presence(.unavailable, to: occupant(room, nick: nick)).element
    }

    /// One answer to the room. `<no-copy/>` marks it as automated, as chat answers are: other
    /// bots (and this one) never take it for a command.
    public static func groupchat(_ body: String, to room: JID, id: String) -> XMLElement {
        var message = Message(.groupchat, to: room.bare, body: body, id: id).element
        message.append(XMLElement("no-copy", namespace: hintsNamespace))
        return message
    }

    /// A private answer to an occupant, through the room (XEP-0045 §7.5).
    public static func privateAnswer(_ body: String, to occupant: JID, id: String) -> XMLElement {
        var message = Message(.chat, to: occupant, body: body, id: id).element
        message.append(XMLElement("x", namespace: RoomNamespace.user))
        message.append(XMLElement("no-copy", namespace: hintsNamespace))
        return message
    }

    /// The configuration a room created by the bot gets (XEP-0045 §10.1.3): members only, real
    /// JIDs visible to every occupant (permissions are decided by them), kept when empty.
    public static func configuration(of room: JID, id: String) -> IQ {
        let form = DataForm(.submit, fields: [
            FormField("FORM_TYPE", type: .hidden, values: [RoomNamespace.roomConfiguration]),
            FormField("muc#roomconfig_whois", type: nil, values: ["anyone"]),
            FormField("muc#roomconfig_membersonly", type: nil, values: ["1"]),
            FormField("muc#roomconfig_persistentroom", type: nil, values: ["1"]),
        ])
        var query = XMLElement("query", namespace: RoomNamespace.owner)
        query.append(form.element)
        return IQ(.set, id: id, to: room.bare, payload: query)
    }

    static let hintsNamespace = "urn:xmpp:hints"

    static func occupant(_ room: JID, nick: String) -> JID {
        // The nick was checked when read (a valid resourcepart); a room JID always takes one.
        (try? JID(localpart: room.localpart, domain: room.domain, resource: nick)) ?? room
    }
}
