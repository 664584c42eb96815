import Testing
import XMPPCore
@testable import XMPPClient

@Suite struct OutgoingBudgetTests {
    @Test func followsTheServersAnnouncedLimitElseAssumesTheCommonOne() throws {
        var features = XMLElement("features", namespace: StreamNamespace.stream)
        #expect(OutgoingBudget(features: features).maximumBytes == 262_144 - 8_192)
        var limits = XMLElement("limits", namespace: OutgoingBudget.streamLimitsNamespace)
        limits.append(XMLElement("max-bytes", namespace: OutgoingBudget.streamLimitsNamespace, text: " 10000 "))
        limits.append(XMLElement("idle-seconds", namespace: OutgoingBudget.streamLimitsNamespace, text: "615"))
        features.append(limits)
        #expect(OutgoingBudget(features: features).maximumBytes == 10_000)
        // Nonsense is ignored; an absurdly small limit is raised to what an error answer needs.
        #expect(OutgoingBudget(maximumBytes: 10).maximumBytes == OutgoingBudget.smallestLimit)
        let bogus = XMLElement("features", namespace: StreamNamespace.stream, children: [.element(XMLElement(
            "limits", namespace: OutgoingBudget.streamLimitsNamespace,
            children: [.element(XMLElement("max-bytes", namespace: OutgoingBudget.streamLimitsNamespace, text: "-5"))]))])
        #expect(OutgoingBudget(features: bogus) == OutgoingBudget())
    }

    @Test func anOversizedAnswerBecomesASmallErrorAndAnythingElseIsDropped() throws {
        let budget = OutgoingBudget(maximumBytes: 10_000)
        let big = XMLElement("query", namespace: "urn:x", text: String(repeating: "x", count: 20_000))
        let answer = IQ(.result, id: "r1", to: try JID("user@example.org/phone"), payload: big).element
        #expect(budget.verdict(for: answer, size: 9_999) == .fits)
        guard case .replace(let replacement) = budget.verdict(for: answer, size: 20_100) else {
            Issue.record("the answer was not replaced"); return
        }
        let error = IQ(element: replacement)
        let requester = try JID("user@example.org/phone")
        #expect(error.kind == .error && error.id == "r1" && error.to == requester)
        #expect(error.error?.condition == .resourceConstraint)
        #expect(replacement.serialized(inheritedNamespace: StreamNamespace.client).utf8.count < 512)

        let message = Message(.chat, to: try JID("user@example.org"), body: String(repeating: "m", count: 20_000)).element
        guard case .drop(let reason) = budget.verdict(for: message, size: 20_050) else { Issue.record("not dropped"); return }
        #expect(reason.contains("<message type='chat'> of 20050 bytes to user@example.org"), "\(reason)")
        #expect(budget.verdict(for: IQ(.get, id: "g", payload: big).element, size: 20_050) != .fits)
    }

    @Test func discoItemsAreCappedWithACount() throws {
        let bot = try JID("bot@example.org/adhocd")
        let items = (0..<5_000).map { DiscoItem(jid: bot, node: "dbus/method-\($0)", name: "Method \($0) " + String(repeating: "n", count: 1_000)) }
        let answer = ServiceDiscovery.itemsAnswer(node: "http://jabber.org/protocol/commands", items: items)
        let size = answer.serialized(inheritedNamespace: StreamNamespace.client).utf8.count
        #expect(size < ServiceDiscovery.maximumItemsBytes + 1_024, "\(size) bytes")
        let listed = answer.children("item", namespace: DiscoNamespace.items)
        #expect(listed.count > 100 && listed.count < 5_000)
        #expect(listed.allSatisfy { ($0[attribute: "name"]?.utf8.count ?? 0) <= ServiceDiscovery.maximumNameBytes })
        #expect(answer.child("set", namespace: ServiceDiscovery.resultSetNamespace)?.childText("count") == "5000")

        let few = ServiceDiscovery.itemsAnswer(node: "n", items: Array(items.prefix(3)))
        #expect(few.children("item").count == 3)
        #expect(few.child("set") == nil)
    }
}
