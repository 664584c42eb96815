import Synchronization
import Testing
import XMPPCore
@testable import XMPPClient

/// A message is decided on the roster (who may chat, which commands a line runs), like a command
/// request: after a new login it must not be handed on while the roster is still the last
/// connection's. Prosody delivers a message to the bot's full JID as soon as it is bound, before
/// its roster request is answered; a contact removed from a group while the bot was away could
/// otherwise run a command in that window.
@Suite struct MessagesAwaitingRosterTests {
    let eve = (try? JID("eve@example.org/phone"))!

    func chat(_ body: String) -> XMLElement {
        var element = Message(.chat, to: (try? JID("bot@example.org/adhocd"))!, body: body).element
        element[attribute: "from"] = eve.description
        return element
    }

    /// A client holding the last connection's roster (eve in `admins`) after a new login, and
    /// what it hands on: each message's body, with whether the roster was current then.
    final class StaleClient: Sendable {
        let client = XMPPClient(configuration: ClientConfiguration(account: (try? JID("bot@example.org"))!, password: Secret("x")))
        final class Record: Sendable { let entries = Mutex<[(String, Bool)]>([]) }
        let handedOn = Record()
        /// Kept: a subscription ends with its stream.
        let events: AsyncStream<ClientEvent>

        init(eve: JID) {
            client.roster.load([RosterItem(jid: eve.bare, groups: ["admins"])])
            events = client.events { [roster = client.roster, handedOn] event in
                if case .message(let message) = event { handedOn.entries.withLock { $0.append((message.body ?? "", roster.isCurrent)) } }
                return false
            }
            client.roster.markStale()
        }
    }

    @Test func aMessageReadBeforeTheNewSessionsRosterIsHandedOnRightAfterIt() {
        let stale = StaleClient(eve: eve)
        let client = stale.client
        let epoch = StreamEpoch(session: 2, connection: 1)
        client.handle(.stanza(chat("first"), epoch: epoch))
        client.handle(.stanza(chat("second"), epoch: epoch))
        #expect(stale.handedOn.entries.withLock { $0.isEmpty }, "a message was handed on while the roster was the last connection's")

        // The new session's roster: eve left admins while the bot was away.
        client.applyLoadedRoster([RosterItem(jid: eve.bare)])
        client.handle(.stanza(chat("third"), epoch: epoch))
        #expect(stale.handedOn.entries.withLock { $0.map(\.0) } == ["first", "second", "third"])
        #expect(stale.handedOn.entries.withLock { $0.allSatisfy(\.1) })
    }

    @Test func heldMessagesAreBoundedAndGoWithTheConnection() {
        let stale = StaleClient(eve: eve)
        let client = stale.client
        let epoch = StreamEpoch(session: 2, connection: 1)
        for number in 0..<(XMPPClient.messagesHeldForRoster + 10) { client.handle(.stanza(chat("\(number)"), epoch: epoch)) }
        client.applyLoadedRoster([])
        #expect(stale.handedOn.entries.withLock { $0.map(\.0) } == (0..<XMPPClient.messagesHeldForRoster).map { "\($0)" })

        // A connection that ends before its roster came: what it held is not handed to the next.
        client.roster.markStale()
        client.handle(.stanza(chat("lost"), epoch: epoch))
        client.handle(.ended(SessionEnd(error: .notConnected, resumable: false, wasOnline: false)))
        client.applyLoadedRoster([])
        #expect(stale.handedOn.entries.withLock { $0.count } == XMPPClient.messagesHeldForRoster)
    }
}
