import Testing
import XMPPCore
@testable import Chat

@Suite struct IncomingChatTests {
    let bot = try! JID("bot@example.org/adhocd")
    let alice = try! JID("alice@example.org/phone")
    let now = 1_800_000_000.0

    func message(_ type: String = "chat", from: String? = "alice@example.org/phone", body: String? = "help", extra: [XMLElement] = []) -> Message {
        var element = XMLElement("message", namespace: StreamNamespace.client, ["type": type, "from": from, "id": "m1"])
        if let body { element.append(XMLElement("body", namespace: StreamNamespace.client, text: body)) }
        for child in extra { element.append(child) }
        return Message(element: element)
    }

    @Test func aTypedLineIsALine() {
        #expect(IncomingChat.classify(message(), ownJID: bot, now: now, staleAfter: 120) == .line("help", from: alice, id: "m1", wantsReceipt: false))
        let asking = message(extra: [XMLElement("request", namespace: IncomingChat.receiptsNamespace)])
        #expect(IncomingChat.classify(asking, ownJID: bot, now: now, staleAfter: 120) == .line("help", from: alice, id: "m1", wantsReceipt: true))
        #expect(IncomingChat.classify(message("normal"), ownJID: bot, now: now, staleAfter: 120) == .line("help", from: alice, id: "m1", wantsReceipt: false))
    }

    @Test func whatIsNeverAnswered() {
        func reason(_ message: Message) -> IncomingChat.Reason? {
            if case .ignored(let reason) = IncomingChat.classify(message, ownJID: bot, now: now, staleAfter: 120) { return reason }
            return nil
        }
        #expect(reason(message("error")) == .error)
        #expect(reason(message("groupchat")) == .groupchat)
        #expect(reason(message("headline")) == .headline)
        #expect(reason(message(body: nil)) == .noBody)
        #expect(reason(message(body: "  \n ")) == .noBody)
        #expect(reason(message(from: "bot@example.org/adhocd")) == .ownConnection)
        #expect(reason(message(from: nil)) == .noSender)
        #expect(reason(message(extra: [XMLElement("received", namespace: "urn:xmpp:carbons:2")])) == .forwarded)
        #expect(reason(message(extra: [XMLElement("no-store", namespace: IncomingChat.hintsNamespace)])) == .automated)
    }

    @Test func delayedLinesOlderThanTheLimitAreStale() {
        func delayed(_ stamp: String) -> IncomingChat {
            IncomingChat.classify(message(extra: [XMLElement("delay", namespace: IncomingChat.delayNamespace, ["stamp": stamp])]),
                                  ownJID: bot, now: now, staleAfter: 120)
        }
        // 1_800_000_000 is 2027-01-15T08:00:00Z.
        #expect(delayed("2027-01-15T07:59:30Z") == .line("help", from: alice, id: "m1", wantsReceipt: false))
        #expect(delayed("2027-01-15T07:50:00Z") == .stale("help", from: alice, age: 600))
        #expect(delayed("2027-01-15T09:50:00+02:00") == .stale("help", from: alice, age: 600))
        #expect(delayed("yesterday") == .stale("help", from: alice, age: nil))
    }

    /// XEP-0198: after a resumption the server sends again what the lost connection did not
    /// acknowledge, stamped with a `<delay/>` from the bot's own account (Prosody) or server
    /// (ejabberd). A line the contact sent seconds before still runs; an older one does not.
    @Test func linesReplayedAfterAResumptionRunWhileYoung() {
        func replayed(_ stamp: String, by server: String, extra: [XMLElement] = []) -> IncomingChat {
            let delay = XMLElement("delay", namespace: IncomingChat.delayNamespace, ["from": server, "stamp": stamp])
            return IncomingChat.classify(message(extra: [delay] + extra), ownJID: bot, now: now, staleAfter: 120)
        }
        // 1_800_000_000 is 2027-01-15T08:00:00Z.
        for server in ["bot@example.org", "example.org"] {
            #expect(replayed("2027-01-15T07:59:55Z", by: server) == .line("help", from: alice, id: "m1", wantsReceipt: false))
            #expect(replayed("2027-01-15T07:59:55.5Z", by: server) == .line("help", from: alice, id: "m1", wantsReceipt: false))
            #expect(replayed("2027-01-15T07:57:00Z", by: server) == .stale("help", from: alice, age: 180))
        }
        // A line that waited in offline storage, then was replayed: as old as its oldest stamp,
        // whichever comes first.
        let stored = XMLElement("delay", namespace: IncomingChat.delayNamespace, ["from": "example.org", "stamp": "2027-01-15T07:00:00Z"])
        #expect(replayed("2027-01-15T07:59:55Z", by: "bot@example.org", extra: [stored]) == .stale("help", from: alice, age: 3600))
    }

    @Test func timestampsFollowXEP0082() {
        #expect(Timestamp.secondsSinceEpoch("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.secondsSinceEpoch("2027-01-15T08:00:00Z") == 1_800_000_000)
        #expect(Timestamp.secondsSinceEpoch("2027-01-15T08:00:00.250Z") == 1_800_000_000.25)
        #expect(Timestamp.secondsSinceEpoch("2024-02-29T00:00:00-00:30") == 1_709_166_600)
        for bad in ["2023-02-29T00:00:00Z", "2027-13-01T00:00:00Z", "2027-01-15 08:00:00Z", "2027-01-15T08:00:00", "2027-01-15T08:00:00.Z", "2027-01-15T24:00:00Z", ""] {
            #expect(Timestamp.secondsSinceEpoch(bad) == nil, "\(bad)")
        }
    }

    @Test func theRateLimiterWarnsOnceThenDrops() {
        var limiter = RateLimiter<String>(burst: 3, interval: 2)
        #expect((0..<3).map { _ in limiter.admit("a", now: 0) } == [.allow, .allow, .allow])
        #expect(limiter.admit("a", now: 0) == .warn(retryAfter: 2))
        #expect(limiter.admit("a", now: 0.5) == .drop)
        #expect(limiter.admit("b", now: 0.5) == .allow)
        #expect(limiter.admit("a", now: 2.1) == .allow)
    }

    @Test func theRateLimiterForgetsQuietContacts() {
        var limiter = RateLimiter<Int>(burst: 1, interval: 1, capacity: 100)
        for key in 0..<10_000 { _ = limiter.admit(key, now: Double(key) / 1000) }
        #expect(limiter.trackedCount <= 100)
    }
}
