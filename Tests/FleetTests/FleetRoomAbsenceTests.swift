import CommandTestKit
import Synchronization
import Testing
import XMPPCore
@testable import Fleet

/// Answers ready while the bot is out of the room: held and posted when it is back, or handed
/// to their requesters privately; never lost without a word.
extension FleetRoomTests {
    /// Retries (2 s at most here) fire at once; join timeouts (30 s) and the hold's age (120 s) never.
    static let retriesOnly: FleetRoom.Timer = { $0 < .seconds(10) }

    static let kicked = RoomPresenceTests.presence("web1", type: "unavailable", codes: [110, 307])
    static let welcomed = RoomPresenceTests.presence("web1", jid: bot.description, codes: [100, 110])

    func run(_ work: [FleetRoom.Work]) async {
        for item in work { await item() }
    }

    /// The room's refusal of our message `id`.
    func bounce(_ id: String, _ condition: String = "not-acceptable", from: String = room.description) -> Message {
        var element = XMLElement("message", namespace: StreamNamespace.client, ["type": "error", "from": from, "id": id])
        var error = XMLElement("error", namespace: StreamNamespace.client, ["type": "cancel"])
        error.append(XMLElement(condition, namespace: "urn:ietf:params:xml:ns:xmpp-stanzas"))
        element.append(error)
        return Message(element: element)
    }

    var joins: Int { sent.all.filter { $0.name == "presence" && $0.child("x", namespace: RoomNamespace.muc) != nil }.count }

    func expectPrivate(_ element: XMLElement?, because why: String, body: String = "up 3 days") {
        #expect(element?[attribute: "type"] == "chat")
        #expect(element?[attribute: "to"] == Fixture.alice.description)
        #expect(element?.childText("body") == "From the room \(Self.room), where I could not answer (\(why)):\n\(body)")
    }

    @Test func anAnswerReadyAfterAKickIsPostedWhenTheBotIsBack() async throws {
        let room = await joinedRoom(timer: Self.retriesOnly)
        let slow = try #require(room.intake(line("web1: uptime", from: "alice")))
        await run(room.receive(Self.kicked))
        #expect(room.phase == .joining(nick: "web1"))
        #expect(joins == 2)
        await slow()
        #expect(answers.isEmpty)
        await run(room.receive(Self.welcomed))
        #expect(answers.count == 1)
        #expect(answers.last?[attribute: "type"] == "groupchat")
        #expect(answers.last?.childText("body") == "up 3 days")
    }

    @Test func anAnswerForARoomTheBotIsBannedFromGoesToItsRequester() async throws {
        let room = await joinedRoom()
        let slow = try #require(room.intake(line("web1: uptime", from: "alice")))
        _ = room.receive(RoomPresenceTests.presence("web1", type: "unavailable", codes: [110, 301]))
        await slow()
        #expect(answers.count == 1)
        expectPrivate(answers.last, because: "I am no longer in the room")
    }

    /// Held after a kick, then the room refuses the rejoin for good: the held answer leaves.
    @Test func heldAnswersLeaveWhenTheRoomRefusesTheRejoin() async throws {
        let room = await joinedRoom(timer: Self.retriesOnly)
        let slow = try #require(room.intake(line("web1: uptime", from: "alice")))
        await run(room.receive(Self.kicked))
        await slow()
        #expect(answers.isEmpty)
        await run(room.receive(RoomPresenceTests.presence("web1", type: "error", error: "forbidden")))
        #expect(room.phase == .stopped)
        expectPrivate(answers.last, because: "I am no longer in the room")
    }

    @Test func answersHeldTooLongGoToTheirRequesters() async throws {
        let clock = ManualClock()
        let room = await joinedRoom(clock: clock)
        let slow = try #require(room.intake(line("web1: uptime", from: "alice")))
        _ = room.receive(Self.kicked)
        await slow()
        clock.advance(by: .seconds(119))
        await room.expireHeldAnswers()
        #expect(answers.isEmpty)
        clock.advance(by: .seconds(1))
        await room.expireHeldAnswers()
        expectPrivate(answers.last, because: "I have been out of the room for over 120 s")
        // Back in the room, nothing is posted twice.
        await run(room.receive(Self.welcomed))
        #expect(answers.count == 1)
    }

    /// The client refuses the answer (offline, no session to resume): it waits for the next
    /// session's join.
    @Test func anAnswerTheClientCannotSendWaitsForTheNextSession() async throws {
        let offline = Mutex(true)
        let room = await joinedRoom(refuses: { element in element.name == "message" && offline.withLock { $0 } })
        await say(room, "web1: uptime")
        #expect(answers.isEmpty)
        offline.withLock { $0 = false }
        await run(room.sessionStarted())
        #expect(answers.isEmpty)
        await run(room.receive(Self.welcomed))
        #expect(answers.count == 1)
        #expect(answers.last?.childText("body") == "up 3 days")
    }

    @Test func leavingHandsHeldAnswersToTheirRequesters() async throws {
        let room = await joinedRoom()
        let slow = try #require(room.intake(line("web1: uptime", from: "alice")))
        _ = room.receive(Self.kicked)
        await slow()
        await room.leave()
        expectPrivate(answers.last, because: "I left the room")
    }

    /// Sent as the kick happened (or re-sent by a new session before the rejoin): the room
    /// bounces it; it is posted once more when the bot is back, and a second bounce sends it to
    /// its requester.
    @Test func aBouncedAnswerIsPostedAgainAfterTheRejoin() async throws {
        let room = await joinedRoom(timer: Self.retriesOnly)
        await say(room, "web1: uptime")
        let first = try #require(answers.last?[attribute: "id"])
        await run(room.receive(Self.kicked))
        await room.intake(bounce(first))?()
        #expect(answers.count == 1)
        await run(room.receive(Self.welcomed))
        #expect(answers.count == 2)
        let second = try #require(answers.last?[attribute: "id"])
        #expect(second != first)
        #expect(answers.last?.childText("body") == "up 3 days")
        await room.intake(bounce(second))?()
        expectPrivate(answers.last, because: "the room refused it: not-acceptable")
        // A bounce of nothing we remember changes nothing.
        #expect(room.intake(bounce("elsewhere-1")) == nil)
    }

    /// The room refuses our answer as a non-occupant's while we thought we were in: it lost us
    /// (its process restarted). The bot joins again and posts the answer then.
    @Test func aRoomThatLostUsIsJoinedAgainAndTheAnswerPosted() async throws {
        let room = await joinedRoom(timer: Self.retriesOnly)
        await say(room, "web1: uptime")
        let id = try #require(answers.last?[attribute: "id"])
        await room.intake(bounce(id))?()
        #expect(room.phase == .joining(nick: "web1"))
        #expect(joins == 2)
        await run(room.receive(Self.welcomed))
        #expect(answers.count == 2)
        #expect(answers.last?[attribute: "type"] == "groupchat")
    }

    /// Occupants see the ids of our answers in the room; an error one of them sends through the
    /// room (from its occupant JID) about one is not the room's: nothing happens.
    @Test func anOccupantCannotBounceAnAnswer() async throws {
        let room = await joinedRoom(timer: Self.retriesOnly)
        await say(room, "web1: uptime")
        let id = try #require(answers.last?[attribute: "id"])
        #expect(room.intake(bounce(id, from: "\(Self.room)/eve")) == nil)
        #expect(room.phase == .joined(nick: "web1"))
        #expect(answers.count == 1)
    }

    /// A private answer through the room bounces because its requester left: it goes to them.
    @Test func aPrivateAnswerToAnOccupantWhoLeftIsSentToTheirAddress() async throws {
        let room = await joinedRoom()
        await say(room, "uptime", type: "chat")
        let id = try #require(answers.last?[attribute: "id"])
        await room.intake(bounce(id, "item-not-found", from: "\(Self.room)/alice"))?()
        expectPrivate(answers.last, because: "you left the room")
        #expect(room.phase == .joined(nick: "web1"))
    }
}
