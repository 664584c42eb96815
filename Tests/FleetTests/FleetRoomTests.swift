import Chat
import CommandTestKit
import Commands
import Logging
import Testing
import XMPPClient
import XMPPCore
@testable import Fleet

/// Room lines in, stanzas out, over a real command engine: who is answered, where, and who never.
@Suite struct FleetRoomTests {
    let engine = EngineFixture()
    let sent = Recorder<XMLElement>()
    static let room = RoomPresenceTests.room
    static let bot = try! JID("bot@example.org/adhocd")
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    /// 2027-01-15T08:00:00Z.
    static let wallClock = 1_800_000_000.0

    init() {
        engine.registry.setCommands([
            GreetCommand(policy: EngineFixture.coloc),
            InstantCommand(node: "uptime", name: "Uptime", policy: EngineFixture.coloc, outcome: { .note("up 3 days") }),
        ], provider: "fleet-tests")
    }

    /// A room joined as web1, non-anonymous, with alice (coloc) and eve (no rule) in it. Its
    /// timers never fire unless `timer` says so; the test drives what they would.
    func joinedRoom(
        _ settings: FleetSettings = FleetSettings(room: room, nick: "web1"), nonAnonymous: Bool = true,
        timer: @escaping FleetRoom.Timer = { _ in false }, clock: ManualClock = ManualClock(),
        refuses: @escaping @Sendable (XMLElement) -> Bool = { _ in false }
    ) async -> FleetRoom {
        let chat = ChatFrontEnd(engine: engine.engine, settings: ChatSettings(), ownJID: { Self.bot }, send: { _ in }, logger: Self.quiet)
        let send: @Sendable (XMLElement) async throws -> Void = { [sent] element in
            if refuses(element) { throw Boom() }
            sent.append(element)
        }
        let room = FleetRoom(
            settings: settings, account: Self.bot.bare, chat: chat,
            transport: .init(send: send, request: { _ in throw StanzaError(.featureNotImplemented) }, ownJID: { Self.bot }),
            presence: PresenceSettings(show: .away, status: "load 4.2"), now: { clock.now }, wallClock: { Self.wallClock }, timer: timer,
            logger: Self.quiet)
        for work in room.sessionStarted() { await work() }
        let visible = nonAnonymous
        _ = room.receive(RoomPresenceTests.presence("alice", jid: visible ? Fixture.alice.description : nil))
        _ = room.receive(RoomPresenceTests.presence("eve", jid: visible ? Fixture.eve.description : nil))
        _ = room.receive(RoomPresenceTests.presence("web1", jid: visible ? Self.bot.description : nil, codes: visible ? [100, 110] : [110]))
        return room
    }

    func line(_ body: String, from nick: String, type: String = "groupchat", extra: [XMLElement] = []) -> Message {
        var element = XMLElement("message", namespace: StreamNamespace.client, ["type": type, "from": "\(Self.room)/\(nick)", "id": "x"])
        element.append(XMLElement("body", namespace: StreamNamespace.client, text: body))
        for child in extra { element.append(child) }
        return Message(element: element)
    }

    func say(_ room: FleetRoom, _ body: String, from nick: String = "alice", type: String = "groupchat", extra: [XMLElement] = []) async {
        await room.intake(line(body, from: nick, type: type, extra: extra))?()
    }

    var answers: [XMLElement] { sent.all.filter { $0.name == "message" } }

    @Test func theJoinCarriesTheBotsHealth() async throws {
        _ = await joinedRoom()
        let join = try #require(sent.all.first)
        #expect(join[attribute: "to"] == "\(Self.room)/web1")
        #expect(join[attribute: "id"] != nil)
        #expect(join.childText("show") == "away")
        #expect(join.childText("status") == "load 4.2")
    }

    @Test func aLineForThisBotIsAnsweredOnceInTheRoom() async throws {
        let room = await joinedRoom()
        await say(room, "web1: uptime")
        await say(room, "all: uptime")
        await say(room, "*: uptime")
        #expect(answers.count == 3)
        for answer in answers {
            #expect(answer[attribute: "type"] == "groupchat")
            #expect(answer[attribute: "to"] == Self.room.description)
            #expect(answer.childText("body") == "up 3 days")
            #expect(answer.child("no-copy", namespace: IncomingChat.hintsNamespace) != nil)
        }
    }

    @Test func linesNotForThisBotAndEchoesAreIgnored() async throws {
        let room = await joinedRoom()
        await say(room, "web2: uptime")
        await say(room, "uptime")
        await say(room, "all: uptime", from: "web1")
        await say(room, "all: uptime", extra: [XMLElement("delay", namespace: IncomingChat.delayNamespace, ["stamp": "2020-01-01T00:00:00Z"])])
        await say(room, "all: uptime", extra: [XMLElement("no-copy", namespace: IncomingChat.hintsNamespace)])
        #expect(answers.isEmpty)
    }

    /// XEP-0198: a line the room sent while our connection was down comes again after the
    /// resumption with a `<delay/>` from our own account (Prosody) or server (ejabberd). It runs
    /// while younger than `[chat] stale_after`; the room's history (a delay from the room) never.
    @Test func aLineReplayedAfterAResumptionRunsWhileYoung() async throws {
        let room = await joinedRoom()
        func delay(_ stamp: String, from: String) -> [XMLElement] {
            [XMLElement("delay", namespace: IncomingChat.delayNamespace, ["from": from, "stamp": stamp])]
        }
        await say(room, "web1: uptime", extra: delay("2027-01-15T07:59:55Z", from: "bot@example.org"))
        await say(room, "all: uptime", extra: delay("2027-01-15T07:59:55Z", from: "example.org"))
        #expect(answers.count == 2)
        await say(room, "web1: uptime", extra: delay("2027-01-15T07:50:00Z", from: "bot@example.org"))
        await say(room, "web1: uptime", extra: delay("2027-01-15T07:59:55Z", from: Self.room.description))
        await say(room, "web1: uptime", extra: delay("2027-01-15T07:59:55Z", from: "mallory@example.org"))
        await say(room, "web1: uptime", extra: delay("2027-01-15T07:59:55Z", from: "bot@example.org") + delay("2027-01-14T08:00:00Z", from: Self.room.description))
        await say(room, "hello", type: "chat", extra: delay("2027-01-15T07:59:55Z", from: "bot@example.org"))
        #expect(answers.count == 3)
        #expect(answers.last?[attribute: "type"] == "chat")
    }

    @Test func anOccupantNoRuleAdmitsGetsNothingAtAll() async throws {
        let room = await joinedRoom()
        await say(room, "all: uptime", from: "eve")
        await say(room, "web1: help", from: "eve")
        await say(room, "nonsense", from: "eve", type: "chat")
        await say(room, "all: uptime", from: "somebody-unknown")
        #expect(answers.isEmpty)
    }

    /// Only the room's own address is believed: presences with `muc#user` items from a
    /// lookalike room or from an account record nobody, and their lines run nothing.
    @Test func onlyTheRoomsOwnAddressIsBelieved() async throws {
        let room = await joinedRoom()
        let lookalikes = ["fleet@conference.example.org.evil.net", "fleet@example.org", "mallory@example.org/fleet@conference.example.org"]
        for lookalike in lookalikes {
            var forged = XMLElement("presence", namespace: StreamNamespace.client, ["from": "\(lookalike)/mallory"])
            var user = XMLElement("x", namespace: RoomNamespace.user)
            user.append(XMLElement("item", namespace: RoomNamespace.user, ["jid": Fixture.alice.description, "role": "moderator", "affiliation": "owner"]))
            forged.append(user)
            #expect(room.receive(Presence(element: forged)).isEmpty)
            var line = XMLElement("message", namespace: StreamNamespace.client, ["type": "groupchat", "from": "\(lookalike)/alice", "id": "x"])
            line.append(XMLElement("body", namespace: StreamNamespace.client, text: "all: uptime"))
            #expect(room.intake(Message(element: line)) == nil)
        }
        await say(room, "all: uptime", from: "mallory")
        await say(room, "uptime", from: "mallory", type: "chat")
        #expect(answers.isEmpty)
        // The room itself, however its address is cased: answered.
        var line = XMLElement("message", namespace: StreamNamespace.client, ["type": "groupchat", "from": "Fleet@Conference.Example.ORG/alice", "id": "x"])
        line.append(XMLElement("body", namespace: StreamNamespace.client, text: "all: uptime"))
        await room.intake(Message(element: line))?()
        #expect(answers.count == 1)
    }

    @Test func withoutRealJIDsNobodyIsAnswered() async throws {
        let room = await joinedRoom(nonAnonymous: false)
        await say(room, "web1: uptime")
        #expect(answers.isEmpty)
    }

    @Test func aDialogueContinuesWithItsStarterInTheRoomOrPrivately() async throws {
        let room = await joinedRoom()
        await say(room, "web1: greet")
        #expect(answers.last?.childText("body")?.contains("Name") == true)
        // Another occupant's line does not answer alice's question (eve gets nothing anyway).
        await say(room, "web1: Mallory", from: "eve")
        await say(room, "web1: Bob")
        #expect(answers.last?.childText("body")?.contains("Shout") == true)
        // The last answer, privately through the room: answered privately.
        await say(room, "yes", type: "chat")
        let last = try #require(answers.last)
        #expect(last[attribute: "type"] == "chat")
        #expect(last[attribute: "to"] == "\(Self.room)/alice")
        #expect(last.child("x", namespace: RoomNamespace.user) != nil)
        #expect(last.childText("body") == "HELLO, BOB!")
        #expect(answers.count == 3)
    }

    /// A private answer ready after its requester left goes to their own address, not through the
    /// room (their nick may be someone else's by then); one who only changed nick gets it under
    /// the new nick.
    @Test func aPrivateAnswerFollowsItsRequesterNotTheirOldNick() async throws {
        let room = await joinedRoom()
        let renamed = try #require(room.intake(line("uptime", from: "alice", type: "chat")))
        _ = room.receive(RoomPresenceTests.presence("alice", type: "unavailable", jid: Fixture.alice.description, codes: [303], newNick: "alice2"))
        _ = room.receive(RoomPresenceTests.presence("alice2", jid: Fixture.alice.description))
        await renamed()
        #expect(answers.last?[attribute: "to"] == "\(Self.room)/alice2")
        #expect(answers.count == 1)

        let left = try #require(room.intake(line("uptime", from: "alice2", type: "chat")))
        _ = room.receive(RoomPresenceTests.presence("alice2", type: "unavailable", jid: Fixture.alice.description))
        _ = room.receive(RoomPresenceTests.presence("alice2", jid: Fixture.eve.description))
        await left()
        #expect(answers.count == 2)
        let direct = try #require(answers.last)
        #expect(direct[attribute: "to"] == Fixture.alice.description)
        #expect(direct.child("x", namespace: RoomNamespace.user) == nil)
        #expect(direct.childText("body")?.contains("(you left the room):\nup 3 days") == true)
    }

    @Test func helpInTheRoomSaysHowToAddressBotsAndWhereFormsAre() async throws {
        let room = await joinedRoom()
        await say(room, "web1: help")
        let body = try #require(answers.last?.childText("body"))
        #expect(body.contains("Uptime"))
        #expect(body.contains("'web1: command' for me, 'all: command' for every bot"))
        #expect(body.contains("xmpp:bot@example.org/adhocd?command"))
    }

    @Test func theRoomBudgetCapsAnswers() async throws {
        var settings = FleetSettings(room: Self.room, nick: "web1")
        settings.rateBurst = 2
        settings.rateInterval = 3600
        let room = await joinedRoom(settings)
        for _ in 0..<4 { await say(room, "all: uptime") }
        #expect(answers.count == 2)
    }

    @Test func longOutputIsCutToOneMessage() async throws {
        engine.registry.setCommands([
            InstantCommand(node: "big", name: "Big", policy: EngineFixture.coloc, outcome: { .note(String(repeating: "x", count: 100_000)) }),
        ], provider: "big")
        let room = await joinedRoom()
        await say(room, "web1: big")
        let body = try #require(answers.last?.childText("body"))
        #expect(body.utf8.count <= OutcomeText.standard.budget)
    }

    @Test func theRoomFollowsTheBotsPresence() async throws {
        let room = await joinedRoom()
        await room.presenceChanged(PresenceSettings(show: .dnd, status: "disk 98%"))
        let update = try #require(sent.all.last)
        #expect(update.name == "presence")
        #expect(update[attribute: "to"] == "\(Self.room)/web1")
        #expect(update.childText("show") == "dnd")
        #expect(update.childText("status") == "disk 98%")
        await room.leave()
        #expect(sent.all.last?[attribute: "type"] == "unavailable")
    }
}
