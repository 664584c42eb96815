import Foundation
import Synchronization
import TestSupport
import Testing
import XMPPCore
@testable import XMPPClient

/// Roster pushes and requests are applied in stream order, against Prosody (issue 10).
@Suite(.serialized, .enabled(if: Prerequisites.prosodyTestsEnabled, Comment(rawValue: Prerequisites.prosodyMissingMessage)))
struct RosterOrderTests {
    static let accounts = ["bot": "botpw", "user": "userpw"]

    @Test func aRequestReadAfterAGroupChangeIsDecidedOnTheNewGroupsUnderLoad() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            // Like the command responder: permission from the live roster, decided when the handler runs.
            bot.router.register(.set, namespace: "urn:test:guarded", requiresRoster: true) { [roster = bot.roster] request in
                guard roster.groups(of: request.from).contains("admins") else { throw StanzaError(.forbidden) }
                return nil
            }
            let admin = makeClient(sandbox, account: "bot", password: "botpw", resource: "admin")
            let user = makeClient(sandbox, account: "user", password: "userpw")
            let load = makeClient(sandbox, account: "user", password: "userpw", resource: "load")
            try await withClients([bot, admin, user, load]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                for client in clients.dropFirst() { try await client.waitOnline() }
                let contact = sandbox.jid("user")
                func setGroups(_ groups: Set<String>) async throws {
                    let item = RosterItem(jid: contact, groups: groups)
                    _ = try await admin.request(IQ(.set, id: admin.makeStanzaID(), payload: XMLElement(
                        "query", namespace: Roster.namespace, children: [.element(item.element)])))
                }
                func guarded(_ client: XMPPClient) async throws {
                    _ = try await client.request(IQ(.set, id: client.makeStanzaID(), to: botJID, payload: XMLElement("q", namespace: "urn:test:guarded")))
                }

                // Concurrent requests from another resource of the contact all along.
                let stop = Atomic<Bool>(false)
                let background = Task {
                    var answered = 0
                    while !stop.load(ordering: .relaxed) {
                        await withTaskGroup(of: Void.self) { group in
                            for _ in 0..<8 { group.addTask { _ = try? await guarded(load) } }
                        }
                        answered += 8
                    }
                    return answered
                }
                for round in 0..<10 {
                    try await setGroups(["admins"])
                    // The push reached the bot's stream before Prosody answered the admin.
                    await #expect(throws: Never.self, "round \(round): allowed after joining") { try await guarded(user) }
                    try await setGroups([])
                    await #expect(throws: StanzaError(.forbidden), "round \(round): refused after leaving") { try await guarded(user) }
                }
                stop.store(true, ordering: .relaxed)
                #expect(await background.value >= 8)
            }
        }
    }
}
