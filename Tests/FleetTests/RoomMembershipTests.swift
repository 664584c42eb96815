import Testing
import XMPPCore
@testable import Fleet

@Suite struct RoomMembershipTests {
    static let room = RoomPresenceTests.room
    static let account = try! JID("web1@example.org")

    /// Jitter pinned to its upper end: delays are the nominal ones.
    func membership() -> RoomMembership {
        RoomMembership(room: Self.room, account: Self.account, nick: "web1", jitter: { $0.upperBound })
    }

    func read(_ presence: Presence) -> RoomPresence { RoomPresence(presence, room: Self.room)! }

    func joins(_ actions: [RoomMembership.Action]) -> [String] {
        attempts(actions).map(\.nick)
    }

    func attempts(_ actions: [RoomMembership.Action]) -> [RoomMembership.JoinAttempt] {
        actions.compactMap { if case .join(let attempt) = $0 { attempt } else { nil } }
    }

    func warns(_ actions: [RoomMembership.Action], _ part: String) -> Bool {
        actions.contains { if case .log(.warning, let text) = $0 { text.contains(part) } else { false } }
    }

    func retries(_ actions: [RoomMembership.Action]) -> [Duration] {
        actions.compactMap { if case .retry(let delay, _) = $0 { delay } else { nil } }
    }

    @Test func aSessionJoinsAndTheSelfPresenceSaysWeAreIn() {
        var room = membership()
        #expect(joins(room.sessionStarted()) == ["web1"])
        #expect(room.phase == .joining(nick: "web1"))
        let actions = room.handle(read(RoomPresenceTests.presence("web1", jid: "web1@example.org/adhocd", codes: [100, 110])))
        #expect(room.phase == .joined(nick: "web1"))
        #expect(room.canSeeRealJIDs)
        #expect(!actions.contains(.configureRoom))
    }

    @Test func aSemiAnonymousRoomHidesJIDsUnlessWeModerate() {
        var room = membership()
        _ = room.sessionStarted()
        _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        #expect(!room.canSeeRealJIDs)
        var moderator = membership()
        _ = moderator.sessionStarted()
        _ = moderator.handle(read(RoomPresenceTests.presence("web1", role: "moderator", codes: [110])))
        #expect(moderator.canSeeRealJIDs)
        room.configurationChanged([172], isModerator: false)
        #expect(room.canSeeRealJIDs)
        room.configurationChanged([173], isModerator: false)
        #expect(!room.canSeeRealJIDs)
    }

    @Test func aRoomWeCreateIsConfigured() {
        var room = membership()
        _ = room.sessionStarted()
        let actions = room.handle(read(RoomPresenceTests.presence("web1", role: "moderator", codes: [110, 201])))
        #expect(actions.contains(.configureRoom))
    }

    @Test func aTakenNickGetsASuffixAndItIsLogged() {
        var room = membership()
        _ = room.sessionStarted()
        let first = room.handle(read(RoomPresenceTests.presence("web1", type: "error", error: "conflict")))
        #expect(joins(first) == ["web1-2"])
        #expect(first.contains { if case .log(.notice, let text) = $0 { text.contains("'web1' is taken") && text.contains("'web1-2'") } else { false } })
        #expect(joins(room.handle(read(RoomPresenceTests.presence("web1-2", type: "error", error: "conflict")))) == ["web1-3"])
        // An error about a nick we no longer ask for changes nothing.
        #expect(room.handle(read(RoomPresenceTests.presence("web1", type: "error", error: "conflict"))).isEmpty)
        _ = room.handle(read(RoomPresenceTests.presence("web1-3", codes: [110])))
        #expect(room.phase == .joined(nick: "web1-3"))
        // A new session starts from the configured nick again.
        #expect(joins(room.sessionStarted()) == ["web1"])
    }

    @Test func aKickedBotRejoinsAfterAGrowingDelay() {
        var room = membership()
        _ = room.sessionStarted()
        _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        var delays: [Duration] = []
        for _ in 0..<3 {
            let kicked = room.handle(read(RoomPresenceTests.presence("web1", type: "unavailable", codes: [110, 307])))
            #expect(room.phase == .waiting)
            delays += retries(kicked)
            #expect(joins(room.retryDue(generation: room.generation)) == ["web1"])
            _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        }
        #expect(delays == [.seconds(2), .seconds(4), .seconds(8)])
    }

    @Test func aStaleRetryDoesNothing() {
        var room = membership()
        _ = room.sessionStarted()
        _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        _ = room.handle(read(RoomPresenceTests.presence("web1", type: "unavailable", codes: [110, 307])))
        let stale = room.generation
        _ = room.sessionStarted()
        #expect(room.retryDue(generation: stale).isEmpty)
        #expect(room.phase == .joining(nick: "web1"))
    }

    @Test func aBanStopsRetrying() {
        var room = membership()
        _ = room.sessionStarted()
        _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        let actions = room.handle(read(RoomPresenceTests.presence("web1", type: "unavailable", codes: [110, 301])))
        #expect(room.phase == .stopped)
        #expect(retries(actions).isEmpty)
        #expect(actions.contains { if case .log(.error, let text) = $0 { text.contains("banned") } else { false } })
        var refused = membership()
        _ = refused.sessionStarted()
        _ = refused.handle(read(RoomPresenceTests.presence("web1", type: "error", error: "forbidden")))
        #expect(refused.phase == .stopped)
    }

    /// Joining a destroyed room again would create a new one owned by this bot alone.
    @Test func aDestroyedRoomIsNotJoinedAgain() {
        var room = membership()
        _ = room.sessionStarted()
        _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        var element = XMLElement("presence", namespace: StreamNamespace.client, ["from": "\(RoomPresenceTests.room)/web1", "type": "unavailable"])
        var user = XMLElement("x", namespace: RoomNamespace.user)
        user.append(XMLElement("item", namespace: RoomNamespace.user, ["affiliation": "none", "role": "none"]))
        user.append(XMLElement("status", namespace: RoomNamespace.user, ["code": "110"]))
        var destroy = XMLElement("destroy", namespace: RoomNamespace.user, ["jid": "fleet2@conference.example.org"])
        destroy.append(XMLElement("reason", namespace: RoomNamespace.user, text: "moved"))
        user.append(destroy)
        element.append(user)
        let actions = room.handle(read(Presence(element: element)))
        #expect(room.phase == .stopped)
        #expect(retries(actions).isEmpty)
        #expect(actions.contains {
            if case .log(.error, let text) = $0 { text.contains("destroyed (moved)") && text.contains("fleet2@conference.example.org") } else { false }
        })
    }

    @Test func whatOnlyAPersonCanFixIsRetriedRarely() {
        for condition in ["registration-required", "not-authorized", "item-not-found"] {
            var room = membership()
            _ = room.sessionStarted()
            let actions = room.handle(read(RoomPresenceTests.presence("web1", type: "error", error: condition)))
            #expect(retries(actions) == [RoomMembership.longDelay], "\(condition)")
            #expect(actions.contains { if case .log(.error, _) = $0 { true } else { false } }, "\(condition)")
        }
    }

    /// The room's service never answers (it is down, or the room's domain is no MUC service and
    /// drops the presence): the join is given up on, logged, and tried again with the backoff.
    @Test func aJoinNobodyAnswersIsTriedAgainWithTheBackoff() throws {
        var room = membership()
        let first = try #require(attempts(room.sessionStarted()).first)
        let timedOut = room.joinTimedOut(id: first.id)
        #expect(room.phase == .waiting)
        #expect(warns(timedOut, "did not answer our join as 'web1' within 30 s"))
        #expect(retries(timedOut) == [.seconds(2)])
        let second = try #require(attempts(room.retryDue(generation: room.generation)).first)
        #expect(second.nick == "web1" && second.id != first.id)
        // The first attempt's timer again, or one for an attempt answered: nothing.
        #expect(room.joinTimedOut(id: first.id).isEmpty)
        #expect(retries(room.joinTimedOut(id: second.id)) == [.seconds(4)])
        let third = try #require(attempts(room.retryDue(generation: room.generation)).first)
        _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        #expect(room.phase == .joined(nick: "web1"))
        #expect(room.joinTimedOut(id: third.id).isEmpty)
        #expect(room.phase == .joined(nick: "web1"))
    }

    /// The room answers the join given up on while the bot waits to try again: it is in, and
    /// the retry is stale.
    @Test func aLateWelcomeToAnAbandonedJoinIsTaken() throws {
        var room = membership()
        let first = try #require(attempts(room.sessionStarted()).first)
        _ = room.joinTimedOut(id: first.id)
        let pending = room.generation
        let actions = room.handle(read(RoomPresenceTests.presence("web1", jid: "web1@example.org/adhocd", codes: [100, 110], id: first.id)))
        #expect(room.phase == .joined(nick: "web1"))
        #expect(room.canSeeRealJIDs)
        #expect(actions.contains { if case .log(.notice, let text) = $0 { text.contains("answered an earlier join late") } else { false } })
        #expect(room.retryDue(generation: pending).isEmpty)
        #expect(room.phase == .joined(nick: "web1"))
    }

    /// A late refusal of the abandoned join does not count as the answer to the join that
    /// replaced it; the current one's answer still does.
    @Test func aLateRefusalOfAnAbandonedJoinChangesNothing() throws {
        var room = membership()
        let first = try #require(attempts(room.sessionStarted()).first)
        _ = room.joinTimedOut(id: first.id)
        #expect(room.handle(read(RoomPresenceTests.presence("web1", type: "error", error: "conflict", id: first.id))).isEmpty)
        #expect(room.phase == .waiting)
        let second = try #require(attempts(room.retryDue(generation: room.generation)).first)
        #expect(room.handle(read(RoomPresenceTests.presence("web1", type: "error", error: "conflict", id: first.id))).isEmpty)
        #expect(room.phase == .joining(nick: "web1"))
        #expect(joins(room.handle(read(RoomPresenceTests.presence("web1", type: "error", error: "conflict", id: second.id)))) == ["web1-2"])
        _ = room.handle(read(RoomPresenceTests.presence("web1-2", codes: [110])))
        #expect(room.phase == .joined(nick: "web1-2"))
        // Once in, a stale refusal is nobody's answer.
        #expect(room.handle(read(RoomPresenceTests.presence("web1", type: "error", error: "forbidden", id: first.id))).isEmpty)
        #expect(room.phase == .joined(nick: "web1-2"))
    }

    /// Prosody answers so for a MUC component that is not connected: a fault that passes.
    @Test func anUnreachableServiceIsRetriedWithTheBackoff() {
        for condition in ["remote-server-timeout", "service-unavailable"] {
            var room = membership()
            _ = room.sessionStarted()
            let actions = room.handle(read(RoomPresenceTests.presence("web1", type: "error", error: condition)))
            #expect(retries(actions) == [.seconds(2)], "\(condition)")
            #expect(warns(actions, "conference.example.org is unreachable (\(condition))"), "\(condition)")
        }
    }

    /// The room refused our message as a non-occupant's while we thought we were in: it lost us.
    @Test func aRoomThatLostUsIsJoinedAgain() {
        var room = membership()
        #expect(room.notAnOccupant().isEmpty)
        _ = room.sessionStarted()
        #expect(room.notAnOccupant().isEmpty)
        _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        let actions = room.notAnOccupant()
        #expect(room.phase == .waiting)
        #expect(retries(actions) == [.seconds(2)])
        #expect(warns(actions, "no longer counts us as an occupant"))
    }

    @Test func leavingOnPurposeEndsRetries() {
        var room = membership()
        _ = room.sessionStarted()
        _ = room.handle(read(RoomPresenceTests.presence("web1", codes: [110])))
        _ = room.handle(read(RoomPresenceTests.presence("web1", type: "unavailable", codes: [110, 307])))
        let pending = room.generation
        room.left()
        #expect(room.retryDue(generation: pending).isEmpty)
    }
}
