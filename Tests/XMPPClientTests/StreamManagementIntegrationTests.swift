import Foundation
import Synchronization
import TestSupport
import Testing
import XMPPCore
@testable import XMPPClient

/// XEP-0198 against Prosody's mod_smacks: resumption, runs that outlive their connection, no
/// double runs.
@Suite(.serialized, .enabled(if: Prerequisites.prosodyTestsEnabled, Comment(rawValue: Prerequisites.prosodyMissingMessage)))
struct StreamManagementIntegrationTests {
    static let accounts = ["bot": "botpw", "user": "userpw"]

    /// How many times a handler ran.
    final class Runs: Sendable {
        private let count = Mutex(0)
        func increment() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    static func slowHandler(runs: Runs, for duration: Duration) -> IQHandler {
        { _ in
            runs.increment()
            try await Task.sleep(for: duration)
            return XMLElement("done", namespace: "urn:test:slow")
        }
    }

    @Test func aRunOutlivesALostConnectionAndAnswersOnTheResumedStream() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            let runs = Runs()
            bot.router.register(.set, namespace: "urn:test:slow", handler: Self.slowHandler(runs: runs, for: .milliseconds(1_500)))
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let session = try await clients[0].waitOnline()
                #expect(session.streamManagement)
                #expect(!session.resumed)
                try await clients[1].waitOnline()

                let answer = Task {
                    try await user.request(IQ(.set, id: "slow-1", to: session.jid, payload: XMLElement("q", namespace: "urn:test:slow")), timeout: .seconds(15))
                }
                try await Task.sleep(for: .milliseconds(500))
                // The network goes: the bot's side of the connection closes without a word.
                bot.driver.closeConnection(because: "test: cut")
                let resumed = try await clients[0].wait(for: "the resumed session") { event -> SessionInfo? in
                    if case .online(let info) = event, info.resumed { info } else { nil }
                }
                #expect(resumed.jid == session.jid)

                let result = try await answer.value
                #expect(result.payload?.name == "done")
                #expect(runs.value == 1)
                let report = try await clients[0].wait(for: "the delivery report") { event -> AnswerDelivery? in
                    if case .answerDelivered(let report) = event, report.answer.requestID == "slow-1" { report } else { nil }
                }
                #expect(report.outcome == .afterResumption)
                #expect(report.acknowledged)
            }
        }
    }

    @Test func aRequestSentTwiceRunsOnceAndIsAnsweredFromRecentAnswers() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            let runs = Runs()
            bot.router.register(.set, namespace: "urn:test:slow", handler: Self.slowHandler(runs: runs, for: .milliseconds(300)))
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()
                let request = IQ(.set, id: "twice", to: botJID, payload: XMLElement("q", namespace: "urn:test:slow", ["n": "1"]))
                // The same request again while it runs (our own waiter is registered once: write it raw).
                let first = Task { try await user.request(request) }
                try await Task.sleep(for: .milliseconds(100))
                try await user.send(request.element)
                _ = try await first.value
                // And again after it was answered: the answer comes from the cache.
                let again = try await user.request(request)
                #expect(again.payload?.name == "done")
                #expect(runs.value == 1)

                // The same id with another payload is another request: it runs.
                let other = IQ(.set, id: "twice", to: botJID, payload: XMLElement("q", namespace: "urn:test:slow", ["n": "2"]))
                _ = try await user.request(other)
                #expect(runs.value == 2)
            }
        }
    }

    @Test func directTLSResumesToo() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw", tls: .directTLS)
            try await withClients([bot]) { clients in
                let session = try await clients[0].waitOnline()
                #expect(session.streamManagement)
                bot.driver.closeConnection(because: "test: cut")
                let resumed = try await clients[0].wait(for: "the resumed session") { event -> SessionInfo? in
                    if case .online(let info) = event, info.resumed { info } else { nil }
                }
                #expect(resumed.server.directTLS)
            }
        }
    }

    @Test func withStreamManagementOffTheBotStillWorks() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw") { $0.streamManagement = false }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let session = try await clients[0].waitOnline()
                #expect(!session.streamManagement)
                try await clients[1].waitOnline()
                let pong = try await user.request(IQ(.get, id: "p", to: session.jid, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
                #expect(pong.kind == .result)
                bot.driver.closeConnection(because: "test: cut")
                let again = try await clients[0].wait(for: "a new session") { event -> SessionInfo? in
                    if case .online(let info) = event { info } else { nil }
                }
                #expect(!again.resumed)
            }
        }
    }

    /// Prosody writes with Nagle's algorithm on: a stanza it has for us waits until its last
    /// small write (the `<a/>` to our ack request, which we answer with no data) is ACKed. The
    /// bot asks the kernel to ACK such a read at once; with the kernel's delayed ACK instead,
    /// every eighth ping below (the bot asks for an ack after eight unacknowledged stanzas)
    /// would take 40 ms more.
    @Test func aStanzaAfterTheServersAckIsNotHeldBehindIt() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw")
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let session = try await clients[0].waitOnline()
                #expect(session.streamManagement)
                try await clients[1].waitOnline()
                var roundTrips: [Duration] = []
                let clock = ContinuousClock()
                for round in 0..<48 {
                    let started = clock.now
                    let ping = IQ(.get, id: "back-to-back-\(round)", to: session.jid, payload: XMLElement("ping", namespace: "urn:xmpp:ping"))
                    let pong = try await user.request(ping, timeout: .seconds(5))
                    #expect(pong.kind == .result)
                    roundTrips.append(clock.now - started)
                }
                let stalled = roundTrips.filter { $0 > .milliseconds(35) }
                // Six or more would be stalls; fewer is a busy machine.
                #expect(stalled.count < 4, "round trips: \(roundTrips)")
            }
        }
    }
}

extension StreamManagementIntegrationTests {
    @Test func aFloodOfRequestsIsHeldBackAtTheConcurrencyLimit() async throws {
        try await withProsody(accounts: Self.accounts) { sandbox in
            let bot = makeClient(sandbox, account: "bot", password: "botpw") { $0.maximumConcurrentRequests = 4 }
            let running = Mutex((now: 0, most: 0))
            bot.router.register(.get, namespace: "urn:test:busy") { _ in
                running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                try await Task.sleep(for: .milliseconds(200))
                running.withLock { $0.now -= 1 }
                return nil
            }
            let user = makeClient(sandbox, account: "user", password: "userpw")
            try await withClients([bot, user]) { clients in
                let botJID = try await clients[0].waitOnline().jid
                try await clients[1].waitOnline()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<24 {
                        group.addTask {
                            _ = try await user.request(IQ(.get, id: "busy-\(index)", to: botJID, payload: XMLElement("q", namespace: "urn:test:busy")), timeout: .seconds(20))
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(running.withLock { $0.most } <= 4)
                #expect(bot.isOnline)
            }
        }
    }
}
