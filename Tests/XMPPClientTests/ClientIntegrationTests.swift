import Foundation
import TestSupport
import Testing
import XMPPCore
@testable import XMPPClient

/// The client against a real Prosody on loopback.
@Suite(.serialized, .enabled(if: Prerequisites.prosodyTestsEnabled, Comment(rawValue: Prerequisites.prosodyMissingMessage)))
struct ClientIntegrationTests {
    static let accounts = ["bot": "botpw", "user": "userpw"]

    @Test func logsInWithSCRAMSHA256OverSTARTTLSAndBindsTheResource() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            try await withClients([makeClient(sandbox, account: "bot", password: "botpw", resource: "test-res")]) { clients in
                let session = try await clients[0].waitOnline()
                #expect(session.mechanism == "SCRAM-SHA-256")
                #expect(session.jid == (try sandbox.jid("bot").withResource("test-res")))
                #expect(clients[0].client.boundJID == session.jid)
            }
        }
    }

    @Test func usesTheResourceTheServerAssigns() async throws {
        try await withProsody(accounts: Self.accounts, resourceConflict: "increment") { sandbox in
            let first = makeClient(sandbox, account: "bot", password: "botpw", resource: "dup")
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([first, user]) { clients in
                let firstSession = try await clients[0].waitOnline()
                #expect(firstSession.jid.resource == "dup")
                try await clients[1].waitOnline()
                let second = makeClient(sandbox, account: "bot", password: "botpw", resource: "dup")
                try await withClients([second]) { others in
                    let assigned = try await others[0].waitOnline().jid
                    #expect(assigned.resource == "dup#1")
                    #expect(second.boundJID == assigned)
                    let pong = try await user.request(IQ(.get, id: "p", to: assigned, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
                    #expect(pong.from == assigned)
                }
            }
        }
    }

    @Test func aResourceConflictIsReportedAndBackedOffFrom() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let first = makeClient(sandbox, account: "bot", password: "botpw", resource: "same")
            try await withClients([first]) { clients in
                try await clients[0].waitOnline()
                let second = makeClient(sandbox, account: "bot", password: "botpw", resource: "same")
                try await withClients([second]) { others in
                    try await others[0].waitOnline()
                    // The server replaced the first session: it says why and waits the longest delay.
                    let reason = try await clients[0].wait(for: "the conflict") { event -> String? in
                        if case .offline(let reason) = event { reason } else { nil }
                    }
                    #expect(reason.contains("conflict"), "\(reason)")
                    await #expect(throws: TestFailure.self) {
                        try await clients[0].waitOnline(timeout: .seconds(2))
                    }
                }
            }
        }
    }

    @Test func logsInWithSCRAMSHA1WhenTheServerOffersNoSHA256() async throws {
        try await withProsody(accounts: Self.accounts, disableMechanisms: ["SCRAM-SHA-256", "DIGEST-MD5"]) { sandbox in
            try await withClients([makeClient(sandbox, account: "bot", password: "botpw")]) { clients in
                let session = try await clients[0].waitOnline()
                #expect(session.mechanism == "SCRAM-SHA-1")
            }
        }
    }

    @Test func usesPlainOnlyInsideTLS() async throws {
        try await withProsody(accounts: Self.accounts, disableMechanisms: ["SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5"]) { sandbox in
            try await withClients([makeClient(sandbox, account: "bot", password: "botpw")]) { clients in
                let session = try await clients[0].waitOnline()
                #expect(session.mechanism == "PLAIN")
            }
        }
    }

    @Test func logsInOverDirectTLS() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            try await withClients([makeClient(sandbox, account: "bot", password: "botpw", tls: .directTLS)]) { clients in
                let session = try await clients[0].waitOnline()
                #expect(session.server.directTLS)
                #expect(session.server.port == sandbox.directTLSPort)
            }
        }
    }

    @Test func refusesAServerCertificateItCannotVerify() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            try await withClients([makeClient(sandbox, account: "bot", password: "botpw", trustTestCA: false)]) { clients in
                let reason = try await clients[0].wait(for: "a TLS failure") { event -> String? in
                    switch event {
                    case .offline(let reason): reason
                    case .online: "ONLINE"
                    default: nil
                    }
                }
                #expect(reason.contains("TLS failed"), "\(reason)")
                #expect(!clients[0].client.isOnline)
            }
        }
    }

    @Test func reportsAWrongPasswordClearlyAndBacksOffLong() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            // The usual backoff would retry every 0.5–4 s; a refused login waits its own, longer one.
            let bot = makeClient(sandbox, account: "bot", password: "wrong") { configuration in
                configuration.authenticationBackoff = Backoff(initial: .seconds(8), maximum: .seconds(60))
            }
            try await withClients([bot]) { clients in
                let reason = try await clients[0].wait(for: "a login failure", timeout: .seconds(5)) { event -> String? in
                    if case .offline(let reason) = event { reason } else if case .online = event { "ONLINE" } else { nil }
                }
                #expect(reason.contains("authentication failed (not-authorized)"), "\(reason)")
                // No second attempt within 3 s (the next comes after 4–8 s).
                await #expect(throws: TestFailure.self) {
                    try await clients[0].wait(for: "a second attempt", timeout: .seconds(3)) { event -> Bool? in
                        if case .offline = event { true } else { nil }
                    }
                }
            }
        }
    }

    @Test func plaintextIsRefusedUnlessConfigured() async throws {
        try await withProsody(accounts: Self.accounts, allowPlaintext: true) { sandbox in
            // The server offers STARTTLS; with tls=none we stay in plaintext on loopback.
            try await withClients([makeClient(sandbox, account: "bot", password: "botpw", tls: .plaintext)]) { clients in
                let session = try await clients[0].waitOnline()
                // Only SCRAM is acceptable without TLS.
                #expect(session.mechanism.hasPrefix("SCRAM"))
            }
        }
    }

    @Test func fetchesTheRosterAndAppliesPushes() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            // Another resource of the bot's own account edits the roster, as an admin's client would.
            let admin = makeClient(sandbox, account: "bot", password: "botpw", resource: "admin")
            try await withClients([bot, admin]) { clients in
                try await clients[0].waitOnline()
                try await clients[1].waitOnline()
                let user = sandbox.jid("user")
                let item = RosterItem(jid: user, name: "User", groups: ["coloc"])
                let query = XMLElement("query", namespace: Roster.namespace, children: [.element(item.element)])
                _ = try await admin.request(IQ(.set, id: admin.makeStanzaID(), payload: query))
                let pushed = try await clients[0].wait(for: "a roster push") { event -> RosterItem? in
                    if case .rosterChanged(let item) = event { item } else { nil }
                }
                #expect(pushed.jid == user)
                #expect(bot.roster.groups(of: user) == ["coloc"])
                #expect(bot.roster.item(for: user)?.name == "User")

                // Moving the contact to another group is seen at once.
                let moved = RosterItem(jid: user, name: "User", groups: ["admins"])
                _ = try await admin.request(IQ(.set, id: admin.makeStanzaID(), payload: XMLElement("query", namespace: Roster.namespace, children: [.element(moved.element)])))
                try await clients[0].wait(for: "the second push") { event -> Bool? in
                    if case .rosterChanged(let item) = event, item.groups == ["admins"] { true } else { nil }
                }
                #expect(bot.roster.groups(of: user) == ["admins"])
            }
            // A fresh login fetches the stored roster.
            let again = makeClient(sandbox, account: "bot", password: "botpw")
            try await withClients([again]) { clients in
                try await clients[0].waitOnline()
                #expect(again.roster.groups(of: sandbox.jid("user")) == ["admins"])
            }
        }
    }

    @Test func ignoresRosterPushesFromOthers() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botSession = try await clients[0].waitOnline()
                try await clients[1].waitOnline()
                let forged = RosterItem(jid: sandbox.jid("user"), groups: ["admins"])
                let push = IQ(.set, id: "forged", to: botSession.jid, payload: XMLElement("query", namespace: Roster.namespace, children: [.element(forged.element)]))
                await #expect(throws: StanzaError.self) { _ = try await user.request(push) }
                #expect(bot.roster.groups(of: sandbox.jid("user")).isEmpty)
            }
        }
    }

    @Test func answersPingVersionDiscoAndUnknownRequests() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()

                let pong = try await user.request(IQ(.get, id: "p1", to: botJID, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
                #expect(pong.kind == .result)

                let version = try await user.request(IQ(.get, id: "v1", to: botJID, payload: XMLElement("query", namespace: "jabber:iq:version")))
                #expect(version.payload?.childText("name") == "adhocd")

                let info = try await user.request(IQ(.get, id: "d1", to: botJID, payload: XMLElement("query", namespace: DiscoNamespace.info)))
                let identity = info.payload?.child("identity")
                #expect(identity?[attribute: "category"] == "client")
                #expect(identity?[attribute: "type"] == "bot")
                let features = Set(info.payload?.children("feature").compactMap { $0[attribute: "var"] } ?? [])
                #expect(features.isSuperset(of: ["urn:xmpp:ping", "jabber:iq:version", DiscoNamespace.info, DiscoNamespace.caps]))

                // The caps node answers the same as the entity.
                let capsNode = "\(bot.disco.capsNode)#\(bot.disco.info.capsVerification)"
                let capsInfo = try await user.request(IQ(.get, id: "d2", to: botJID, payload: XMLElement("query", namespace: DiscoNamespace.info, ["node": capsNode])))
                #expect(capsInfo.payload?.children("feature").count == info.payload?.children("feature").count)

                await #expect(throws: StanzaError(.itemNotFound)) {
                    _ = try await user.request(IQ(.get, id: "d3", to: botJID, payload: XMLElement("query", namespace: DiscoNamespace.info, ["node": "nope"])))
                }
                await #expect(throws: StanzaError(.serviceUnavailable)) {
                    _ = try await user.request(IQ(.get, id: "u1", to: botJID, payload: XMLElement("query", namespace: "urn:example:unknown")))
                }
                await #expect(throws: StanzaError(.serviceUnavailable)) {
                    _ = try await user.request(IQ(.set, id: "u2", to: botJID, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
                }
            }
        }
    }

    @Test func handlerErrorsBecomeStanzaErrors() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            bot.router.register(.get, namespace: "urn:test:fails") { _ in throw StanzaError(.notAcceptable, text: "no") }
            bot.router.register(.get, namespace: "urn:test:crashes") { _ in throw CocoaError(.fileNoSuchFile) }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()
                await #expect(throws: StanzaError(.notAcceptable, text: "no")) {
                    _ = try await user.request(IQ(.get, id: "f1", to: botJID, payload: XMLElement("q", namespace: "urn:test:fails")))
                }
                await #expect(throws: StanzaError(.internalServerError, text: "the request could not be processed")) {
                    _ = try await user.request(IQ(.get, id: "f2", to: botJID, payload: XMLElement("q", namespace: "urn:test:crashes")))
                }
            }
        }
    }

    @Test func requestsTimeOut() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            bot.router.register(.get, namespace: "urn:test:slow") { _ in
                try await Task.sleep(for: .seconds(5))
                return nil
            }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()
                let start = ContinuousClock.now
                await #expect(throws: ConnectionError.self) {
                    _ = try await user.request(IQ(.get, id: "s1", to: botJID, payload: XMLElement("q", namespace: "urn:test:slow")), timeout: .milliseconds(300))
                }
                #expect(ContinuousClock.now - start < .seconds(2))
            }
        }
    }

    @Test func requestsAreCancellableAndTheirIDsUnique() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            bot.router.register(.get, namespace: "urn:test:slow") { _ in
                try await Task.sleep(for: .seconds(5))
                return nil
            }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()
                let slow = IQ(.get, id: "same", to: botJID, payload: XMLElement("q", namespace: "urn:test:slow"))
                let first = Task { try await user.request(slow) }
                try await Task.sleep(for: .milliseconds(200))
                await #expect(throws: ConnectionError.self) { _ = try await user.request(slow) }
                let start = ContinuousClock.now
                first.cancel()
                await #expect(throws: CancellationError.self) { _ = try await first.value }
                #expect(ContinuousClock.now - start < .seconds(1))
            }
        }
    }

    @Test func comesBackAfterTheServerIsKilledAndRestarted() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            bot.setSubscriptionPolicy { _ in .approve }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()
                try await user.send(Presence(.subscribe, to: sandbox.jid("bot")).element)
                try await clients[1].wait(for: "the bot's presence") { event -> Bool? in
                    if case .presence(let presence) = event, presence.from == botJID, presence.kind == .available { true } else { nil }
                }

                try await sandbox.killed()
                try await clients[0].wait(for: "the bot noticing") { event -> Bool? in if case .offline = event { true } else { nil } }
                try await Task.sleep(for: .seconds(1))
                try await sandbox.resumed()

                // Backoff is 0.5 s doubling to 4 s here: back within a few attempts.
                try await clients[0].waitOnline(timeout: .seconds(20))
                try await clients[1].wait(for: "the bot's presence after the restart", timeout: .seconds(20)) { event -> Bool? in
                    if case .presence(let presence) = event, presence.from == botJID, presence.kind == .available { true } else { nil }
                }
                #expect(bot.isOnline)
            }
        }
    }

    @Test func noticesADeadConnectionThroughKeepalivePings() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw") { configuration in
                configuration.keepaliveInterval = .milliseconds(500)
                configuration.pingTimeout = .seconds(1)
            }
            try await withClients([bot]) { clients in
                try await clients[0].waitOnline()
                try sandbox.pause()
                let start = ContinuousClock.now
                defer { try? sandbox.unpause() }
                let reason = try await clients[0].wait(for: "the ping timeout", timeout: .seconds(5)) { event -> String? in
                    if case .offline(let reason) = event { reason } else { nil }
                }
                #expect(ContinuousClock.now - start < .seconds(3), "took \(ContinuousClock.now - start): \(reason)")
                try sandbox.unpause()
                try await clients[0].waitOnline(timeout: .seconds(20))
            }
        }
    }
}
