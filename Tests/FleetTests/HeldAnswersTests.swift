import Testing
import XMPPCore
@testable import Fleet

@Suite struct HeldAnswersTests {
    static let alice = try! JID("alice@example.org/laptop")
    static let room = RoomPresenceTests.room
    static let eve = try! JID("fleet@conference.example.org/eve")
    static let limits = HeldAnswers.Limits(capacity: 3, maximumAge: 120, sentCapacity: 2, sentWindow: 300)

    func answer(_ body: String) -> RoomAnswer { RoomAnswer(body: body, place: .room, requester: Self.alice) }

    @Test func heldAnswersAreReleasedInTheirOrderOnce() {
        var held = HeldAnswers(limits: Self.limits)
        #expect(held.hold(answer("a"), now: 0).isEmpty)
        #expect(held.hold(answer("b"), now: 1).isEmpty)
        #expect(held.count == 2)
        let released = held.release()
        #expect(released.map(\.body) == ["a", "b"])
        #expect(released.allSatisfy { $0.delayed })
        #expect(held.release().isEmpty)
    }

    /// Past the capacity the oldest leave (to their requesters): the hold never grows.
    @Test func theOldestLeaveWhenTheHoldIsFull() {
        var held = HeldAnswers(limits: Self.limits)
        for (index, body) in ["a", "b", "c"].enumerated() { #expect(held.hold(answer(body), now: Double(index)).isEmpty) }
        #expect(held.hold(answer("d"), now: 3).map(\.body) == ["a"])
        #expect(held.count == 3)
        #expect(held.release().map(\.body) == ["b", "c", "d"])
    }

    @Test func answersHeldTooLongExpire() {
        var held = HeldAnswers(limits: Self.limits)
        _ = held.hold(answer("old"), now: 0)
        _ = held.hold(answer("new"), now: 100)
        #expect(held.expire(now: 119).isEmpty)
        #expect(held.expire(now: 120).map(\.body) == ["old"])
        #expect(held.expire(now: 220).map(\.body) == ["new"])
        #expect(held.count == 0)
    }

    /// A bounce gives its answer back once; sent answers are remembered within a count and a window.
    @Test func sentAnswersAreRememberedForABounceWithinBounds() {
        var held = HeldAnswers(limits: Self.limits)
        held.sent(answer("a"), id: "1", to: Self.room, now: 0)
        #expect(held.takeBack(id: "1", from: Self.room)?.body == "a")
        #expect(held.takeBack(id: "1", from: Self.room) == nil)
        held.sent(answer("b"), id: "2", to: Self.room, now: 0)
        held.sent(answer("c"), id: "3", to: Self.room, now: 1)
        held.sent(answer("d"), id: "4", to: Self.room, now: 2)
        #expect(held.takeBack(id: "2", from: Self.room) == nil)
        #expect(held.takeBack(id: "3", from: Self.room)?.body == "c")
        held.sent(answer("e"), id: "5", to: Self.room, now: 400)
        #expect(held.takeBack(id: "4", from: Self.room) == nil)
        #expect(held.takeBack(id: "5", from: Self.room)?.body == "e")
        #expect(held.takeBack(id: "unknown", from: Self.room) == nil)
    }

    /// Occupants see our answers' ids: only the address an answer went to can bounce it.
    @Test func onlyWhereAnAnswerWentCanBounceIt() {
        var held = HeldAnswers(limits: Self.limits)
        held.sent(answer("to the room"), id: "1", to: Self.room, now: 0)
        held.sent(answer("to eve"), id: "2", to: Self.eve, now: 0)
        #expect(held.takeBack(id: "1", from: Self.eve) == nil)
        #expect(held.takeBack(id: "2", from: Self.room) == nil)
        #expect(held.takeBack(id: "1", from: Self.room)?.body == "to the room")
        #expect(held.takeBack(id: "2", from: Self.eve)?.body == "to eve")
    }
}
