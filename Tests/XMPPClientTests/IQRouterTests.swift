import Logging
import Testing
import XMPPCore
@testable import XMPPClient

@Suite struct IQRouterTests {
    let alice = (try? JID("alice@example.org/phone"))!
    let account = (try? JID("bot@example.org"))!

    func request(_ namespace: String, kind: IQ.Kind = .set, id: String? = "r1") -> IQ {
        var iq = IQ(kind, id: id ?? "", payload: XMLElement("command", namespace: namespace))
        iq.element[attribute: "from"] = alice.description
        if id == nil { iq.element[attribute: "id"] = nil }
        return iq
    }

    @Test func rosterDependentRequestsWaitForTheNewSessionsRoster() async throws {
        let roster = Roster()
        let router = IQRouter(roster: roster, logger: Logger(label: "test"))
        router.register(.set, namespace: "urn:test:guarded", requiresRoster: true) { _ in XMLElement("ok", namespace: "urn:test:guarded") }
        router.register(.set, namespace: "urn:test:open") { _ in nil }

        // A new login: the roster is not this session's yet.
        roster.markStale()
        guard case .answer(let refusal?) = router.route(request("urn:test:guarded"), sender: alice) else {
            Issue.record("a roster-dependent request ran on a stale roster"); return
        }
        #expect(refusal.error?.type == .wait)
        #expect(refusal.error?.condition == .resourceConstraint)
        #expect(refusal.to == alice)
        guard case .run = router.route(request("urn:test:open"), sender: alice) else {
            Issue.record("a request that needs no roster was held back"); return
        }

        roster.load([RosterItem(jid: alice, groups: ["admins"])])
        let answer = await router.answer(request("urn:test:guarded"), sender: alice)
        #expect(answer?.kind == .result)
        #expect(answer?.payload?.name == "ok")
    }

    @Test func malformedAndUnhandledRequestsGetErrors() async {
        let router = IQRouter(roster: Roster(), logger: Logger(label: "test"))
        #expect(await router.answer(request("urn:test:nobody"), sender: alice)?.error?.condition == .serviceUnavailable)
        #expect(await router.answer(request("urn:test:nobody", id: nil), sender: alice) == nil)
        var twoPayloads = request("urn:x")
        twoPayloads.element.append(XMLElement("second", namespace: "urn:x"))
        #expect(await router.answer(twoPayloads, sender: alice)?.error?.condition == .badRequest)
    }

    @Test func immediateHandlersAreAnsweredWhereTheRequestIsRead() {
        let router = IQRouter(roster: Roster(), logger: Logger(label: "test"))
        router.registerImmediate(.get, namespace: "urn:test:echo") { request throws(StanzaError) in
            guard request.payload.name == "command" else { throw StanzaError(.badRequest, text: "not a command") }
            return XMLElement("echoed", namespace: "urn:test:echo")
        }
        guard case .answer(let answer?) = router.route(request("urn:test:echo", kind: .get), sender: alice) else {
            Issue.record("an immediate handler was sent to a task"); return
        }
        #expect(answer.kind == .result)
        #expect(answer.id == "r1")
        #expect(answer.to == alice)
        #expect(answer.payload?.name == "echoed")

        var wrong = IQ(.get, id: "r2", payload: XMLElement("other", namespace: "urn:test:echo"))
        wrong.element[attribute: "from"] = alice.description
        guard case .answer(let refusal?) = router.route(wrong, sender: alice) else {
            Issue.record("a refused immediate request got no error"); return
        }
        #expect(refusal.error?.condition == .badRequest)
        #expect(refusal.id == "r2")
        // Only the kind it was registered for.
        #expect(router.route(request("urn:test:echo", kind: .set), sender: alice).isServiceUnavailable)
    }

    @Test func rosterPushesAreBelievedOnlyFromOurOwnAccount() throws {
        let roster = Roster()
        let item = RosterItem(jid: alice, groups: ["coloc"])
        let push = XMLElement("query", namespace: Roster.namespace, children: [.element(item.element)])
        #expect(throws: Never.self) { try roster.applyPush(push, from: nil, account: account).get() }
        #expect(roster.groups(of: alice) == ["coloc"])
        let moved = XMLElement("query", namespace: Roster.namespace, children: [.element(RosterItem(jid: alice, groups: ["admins"]).element)])
        #expect(throws: StanzaError(.serviceUnavailable)) { try roster.applyPush(moved, from: alice, account: account).get() }
        #expect(throws: StanzaError(.serviceUnavailable)) { try roster.applyPush(moved, from: try JID("bot@example.org/other"), account: account).get() }
        #expect(roster.groups(of: alice) == ["coloc"])
        _ = try roster.applyPush(moved, from: account, account: account).get()
        #expect(roster.groups(of: alice) == ["admins"])
        let empty = XMLElement("query", namespace: Roster.namespace)
        #expect(throws: StanzaError.self) { try roster.applyPush(empty, from: nil, account: account).get() }
    }
}

extension IQRouter.Route {
    var isServiceUnavailable: Bool {
        if case .answer(let answer?) = self { answer.error?.condition == .serviceUnavailable } else { false }
    }
}
