import Foundation
import TestSupport
import Testing
import XMPPCore
@testable import XMPPClient

/// What a stranger can send: none of it may end the bot's stream (issue 10), against Prosody.
@Suite(.serialized, .enabled(if: Prerequisites.prosodyTestsEnabled, Comment(rawValue: Prerequisites.prosodyMissingMessage)))
struct HostileInputTests {
    static let accounts = ["bot": "botpw", "user": "userpw"]

    static func wentOffline(_ event: ClientEvent) -> Bool {
        if case .offline = event { true } else { false }
    }

    @Test func aStanzaOverTheLimitsIsSkippedAloneAndARequestAmongThemAnswered() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            // Limits well under Prosody's own 256 KiB, so the test can cross them through it.
            let bot = makeClient(sandbox, account: "bot", password: "botpw") { configuration in
                configuration.parserLimits = XMLStreamParser.Limits(maximumElementBytes: 16_384, maximumDepth: 8)
            }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()

                let node = String(repeating: "n", count: 20_000)
                let large = IQ(.get, id: "large", to: botJID, payload: XMLElement("query", namespace: DiscoNamespace.info, ["node": node]))
                do {
                    _ = try await user.request(large)
                    Issue.record("an oversized request was answered with a result")
                } catch let error as StanzaError {
                    #expect(error.condition == .resourceConstraint)
                    #expect(error.type == .modify)
                    #expect(error.text?.contains("larger than 16384 bytes") == true, "\(error)")
                }

                var nested = XMLElement("x", namespace: "urn:test:deep")
                for _ in 0..<40 { nested = XMLElement("x", namespace: "urn:test:deep", children: [.element(nested)]) }
                var message = Message(.chat, to: botJID, body: "deep").element
                message.append(nested)
                try await user.send(message)
                let deep = IQ(.set, id: "deep", to: botJID, payload: nested)
                await #expect(throws: StanzaError(.resourceConstraint, type: .modify, text: "the request was not read: it is nested deeper than 8 elements")) {
                    _ = try await user.request(deep)
                }

                // The stream stayed up: a normal request is answered, and the bot never went offline.
                let pong = try await user.request(IQ(.get, id: "after", to: botJID, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
                #expect(pong.kind == .result)
                #expect(!clients[0].hasEmitted(Self.wentOffline))
                #expect(bot.isOnline)
            }
        }
    }
}

extension HostileInputTests {
    @Test func answersStayWithinTheOutgoingBudget() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            bot.router.register(.get, namespace: "urn:test:huge") { _ in
                XMLElement("huge", namespace: "urn:test:huge", text: String(repeating: "h", count: 300_000))
            }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()

                // A 140 KB node: the error answer copies nothing back and quotes little.
                let node = String(repeating: "n", count: 140_000)
                let probe = IQ(.get, id: "node", to: botJID, payload: XMLElement("query", namespace: DiscoNamespace.info, ["node": node]))
                await #expect(throws: StanzaError(.itemNotFound)) { _ = try await user.request(probe) }

                // An answer past the server's limit would cost the bot its stream: a small error goes instead.
                do {
                    _ = try await user.request(IQ(.get, id: "huge", to: botJID, payload: XMLElement("q", namespace: "urn:test:huge")))
                    Issue.record("the oversized answer went out")
                } catch let error as StanzaError {
                    #expect(error.condition == .resourceConstraint, "\(error)")
                }
                // A message past the budget is not written at all.
                let message = Message(.chat, to: sandbox.jid("user"), body: String(repeating: "m", count: 300_000)).element
                await #expect(throws: ConnectionError.self) { try await bot.send(message) }

                let pong = try await user.request(IQ(.get, id: "after", to: botJID, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
                #expect(pong.kind == .result)
                #expect(!clients[0].hasEmitted(Self.wentOffline))
            }
        }
    }
}
