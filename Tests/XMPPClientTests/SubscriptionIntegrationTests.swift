import Foundation
import TestSupport
import Testing
import XMPPCore
@testable import XMPPClient

/// Presence subscriptions against a real Prosody: the policy's three answers, cancellations,
/// and the presence an approved contact sees.
@Suite(.serialized, .enabled(if: Prerequisites.prosodyTestsEnabled, Comment(rawValue: Prerequisites.prosodyMissingMessage)))
struct SubscriptionIntegrationTests {
    static let accounts = ["bot": "botpw", "user": "userpw"]

    /// A sandbox with the bot (deciding by `policy`, the client's default when nil) and the
    /// user online; `body` gets the sandbox and the running bot and user.
    func withBotAndUser(
        policy: SubscriptionPolicy? = nil, _ body: (ProsodySandbox, RunningClient, RunningClient) async throws -> Void
    ) async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            if let policy { bot.setSubscriptionPolicy(policy) }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                try await clients[0].waitOnline()
                try await clients[1].waitOnline()
                try await body(sandbox, clients[0], clients[1])
            }
        }
    }

    /// The first presence of `kind` from the bot's account that `client` receives.
    func presence(_ kind: Presence.Kind, from bot: JID, at client: RunningClient, timeout: Duration = .seconds(10)) async throws -> Presence {
        try await client.wait(for: "presence of type \(kind.rawValue) from \(bot)", timeout: timeout) { event -> Presence? in
            if case .presence(let presence) = event, presence.from?.bare == bot, presence.kind == kind { presence } else { nil }
        }
    }

    @Test func presenceIsSeenByAnApprovedContact() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw") { $0.presence = PresenceSettings(show: .away, status: "load 3.2", priority: 5) }
            bot.setSubscriptionPolicy { contact in contact.localpart == "user" ? .approve : .decline }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botSession = try await clients[0].waitOnline()
                try await clients[1].waitOnline()
                try await user.send(Presence(.subscribe, to: sandbox.jid("bot")).element)
                _ = try await presence(.subscribed, from: sandbox.jid("bot"), at: clients[1])
                let seen = try await clients[1].wait(for: "the bot's presence") { event -> Presence? in
                    if case .presence(let presence) = event, presence.from == botSession.jid, presence.kind == .available { presence } else { nil }
                }
                #expect(seen.show == .away)
                #expect(seen.status == "load 3.2")
                #expect(seen.priority == 5)
                #expect(seen.element.child("c", namespace: DiscoNamespace.caps)?[attribute: "ver"] == bot.disco.info.capsVerification)

                // A change is sent at once.
                await bot.setPresence(PresenceSettings(show: .dnd, status: "disk full"))
                let changed = try await clients[1].wait(for: "the changed presence") { event -> Presence? in
                    if case .presence(let presence) = event, presence.show == .dnd { presence } else { nil }
                }
                #expect(changed.status == "disk full")

                // Leaving sends unavailable presence.
                await clients[0].stop()
                try await clients[1].wait(for: "unavailable presence") { event -> Bool? in
                    if case .presence(let presence) = event, presence.from == botSession.jid, presence.kind == .unavailable { true } else { nil }
                }
            }
        }
    }

    @Test func approvalAsksBackAndAnUnsubscribeIsMirrored() async throws {
        try await withBotAndUser(policy: { _ in .approve }) { sandbox, bot, user in
            let botJID = sandbox.jid("bot"), userJID = sandbox.jid("user")
            try await user.client.send(Presence(.subscribe, to: botJID).element)
            _ = try await presence(.subscribed, from: botJID, at: user)
            // The bot asks to see the user's presence in turn, so both rosters show "both".
            _ = try await presence(.subscribe, from: botJID, at: user)
            try await user.client.send(Presence(.subscribed, to: botJID).element)
            try await waitUntil("the bot's roster shows both") { bot.client.roster.item(for: userJID)?.subscription == .both }

            // The user stops following the bot: the bot drops its reverse subscription too.
            try await user.client.send(Presence(.unsubscribe, to: botJID).element)
            _ = try await presence(.unsubscribe, from: botJID, at: user)
            try await waitUntil("the bot's roster shows none") { bot.client.roster.item(for: userJID)?.subscription == RosterItem.Subscription.none }
            #expect(bot.client.isOnline)
        }
    }

    @Test func declinedRequestsAreRefused() async throws {
        try await withBotAndUser(policy: { _ in .decline }) { sandbox, _, user in
            try await user.client.send(Presence(.subscribe, to: sandbox.jid("bot")).element)
            _ = try await presence(.unsubscribed, from: sandbox.jid("bot"), at: user)
            #expect(user.client.roster.item(for: sandbox.jid("bot"))?.subscription != .to)
        }
    }

    @Test func pendingRequestsGetNoAnswer() async throws {
        // The client's default policy leaves requests pending.
        try await withBotAndUser { sandbox, _, user in
            try await user.client.send(Presence(.subscribe, to: sandbox.jid("bot")).element)
            await #expect(throws: TestFailure.self) {
                // Prosody may answer for the bot with type='unavailable'; no answer of the bot's may come.
                let seen = try await user.wait(for: "no answer", timeout: .seconds(2)) { event -> String? in
                    guard case .presence(let presence) = event, presence.from?.bare == sandbox.jid("bot"),
                          presence.kind == .available || presence.kind == .subscribed || presence.kind == .unsubscribed
                    else { return nil }
                    return presence.element.serialized()
                }
                Issue.record("unexpected presence: \(seen)")
            }
        }
    }

    func waitUntil(_ description: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting until \(description)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
