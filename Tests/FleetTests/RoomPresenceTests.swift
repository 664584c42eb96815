import Testing
import XMPPCore
@testable import Fleet

@Suite struct RoomPresenceTests {
    static let room = try! JID("fleet@conference.example.org")

    static func presence(
        _ nick: String, type: String? = nil, jid: String? = nil, role: String = "participant", codes: [Int] = [], newNick: String? = nil,
        show: String? = nil, status: String? = nil, error: String? = nil, id: String? = nil
    ) -> Presence {
        var element = XMLElement("presence", namespace: StreamNamespace.client, ["from": "\(room)/\(nick)", "type": type, "id": id])
        if let show { element.append(XMLElement("show", namespace: StreamNamespace.client, text: show)) }
        if let status { element.append(XMLElement("status", namespace: StreamNamespace.client, text: status)) }
        if let error {
            var node = XMLElement("error", namespace: StreamNamespace.client, ["type": "cancel"])
            node.append(XMLElement(error, namespace: "urn:ietf:params:xml:ns:xmpp-stanzas"))
            element.append(node)
        } else {
            var user = XMLElement("x", namespace: RoomNamespace.user)
            user.append(XMLElement("item", namespace: RoomNamespace.user, ["jid": jid, "role": type == "unavailable" ? "none" : role, "affiliation": "member", "nick": newNick]))
            for code in codes { user.append(XMLElement("status", namespace: RoomNamespace.user, ["code": String(code)])) }
            element.append(user)
        }
        return Presence(element: element)
    }

    @Test func anOccupantsPresenceIsRead() throws {
        let read = try #require(RoomPresence(Self.presence("web2", jid: "web2@example.org/adhocd", show: "dnd", status: "disk 97%"), room: Self.room))
        #expect(read.nick == "web2")
        #expect(read.kind == .available)
        #expect(read.realJID == (try JID("web2@example.org/adhocd")))
        #expect(read.show == .dnd)
        #expect(read.status == "disk 97%")
        #expect(!read.isSelf)
    }

    @Test func presencesFromElsewhereAreNotTheRooms() {
        var other = Self.presence("web2")
        other.element[attribute: "from"] = "someone@example.org/phone"
        #expect(RoomPresence(other, room: Self.room) == nil)
        var bare = Self.presence("web2")
        bare.element[attribute: "from"] = Self.room.description
        #expect(RoomPresence(bare, room: Self.room) == nil)
    }

    @Test func anErrorKeepsItsCondition() throws {
        let read = try #require(RoomPresence(Self.presence("web1", type: "error", error: "conflict"), room: Self.room))
        guard case .error(let error) = read.kind else { Issue.record("not an error"); return }
        #expect(error.condition == .conflict)
    }

    @Test func theOccupantMapFollowsArrivalsRenamesAndDepartures() throws {
        var occupants = Occupants()
        occupants.apply(try #require(RoomPresence(Self.presence("alice", jid: "alice@example.org/laptop"), room: Self.room)))
        occupants.apply(try #require(RoomPresence(Self.presence("anon"), room: Self.room)))
        #expect(occupants.realJID(of: "alice") == (try JID("alice@example.org/laptop")))
        #expect(occupants["anon"] != nil)
        #expect(occupants.realJID(of: "anon") == nil)
        // A nick change: unavailable with 303 for the old nick, then available under the new one.
        occupants.apply(try #require(RoomPresence(Self.presence("alice", type: "unavailable", jid: "alice@example.org/laptop", codes: [303], newNick: "al"), room: Self.room)))
        occupants.apply(try #require(RoomPresence(Self.presence("al", jid: "alice@example.org/laptop"), room: Self.room)))
        #expect(occupants["alice"] == nil)
        #expect(occupants.realJID(of: "al") == (try JID("alice@example.org/laptop")))
        occupants.apply(try #require(RoomPresence(Self.presence("al", type: "unavailable"), room: Self.room)))
        #expect(occupants.count == 1)
    }

    @Test func theJoinAsksForNoHistoryAndCarriesTheHealth() {
        let join = RoomStanzas.join(Self.room, nick: "web1", id: "j1", password: nil, presence: .init(show: .away, status: "load 9.1", priority: 5))
        #expect(join[attribute: "to"] == "fleet@conference.example.org/web1")
        #expect(join[attribute: "id"] == "j1")
        #expect(join.child("x", namespace: RoomNamespace.muc)?.child("history")?[attribute: "maxstanzas"] == "0")
        #expect(join.child("x", namespace: RoomNamespace.muc)?.child("password") == nil)
        #expect(join.childText("show") == "away")
        #expect(join.childText("status") == "load 9.1")
        #expect(join.child("priority") == nil)
        let update = RoomStanzas.update(Self.room, nick: "web1", presence: .init(show: .online, status: "ok"))
        #expect(update.child("x", namespace: RoomNamespace.muc) == nil)
        #expect(update.child("show") == nil)
    }

    @Test func theJoinCarriesThePasswordButNeverPrintsIt() {
        let join = RoomStanzas.join(Self.room, nick: "web1", id: "j1", password: .init("s3cret"), presence: .init())
        #expect(join.child("x", namespace: RoomNamespace.muc)?.childText("password") == "s3cret")
        #expect("\(FleetSettings(room: Self.room, nick: "web1", password: .init("s3cret")))".contains("s3cret") == false)
    }

    @Test func aNewRoomIsConfiguredMembersOnlyAndNonAnonymous() throws {
        let iq = RoomStanzas.configuration(of: Self.room, id: "c1")
        #expect(iq.kind == .set)
        let form = try DataForm(element: try #require(iq.payload?.child("x", namespace: DataForm.namespace)))
        #expect(form.kind == .submit)
        #expect(form.formType == RoomNamespace.roomConfiguration)
        #expect(form.field("muc#roomconfig_whois")?.values == ["anyone"])
        #expect(form.field("muc#roomconfig_membersonly")?.values == ["1"])
        #expect(form.field("muc#roomconfig_persistentroom")?.values == ["1"])
    }
}
