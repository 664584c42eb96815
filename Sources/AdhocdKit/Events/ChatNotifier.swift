import Logging
import XMPPClient
import XMPPCore

/// Chat messages the bot sends on its own (health alerts, D-Bus events) to recipients named in
/// the configuration. Kept for a resumable session while its connection is down; with no
/// session at all, what happened is logged, not replayed.
struct ChatNotifier: Sendable {
    let client: XMPPClient
    let logger: Logger

    /// Every listed account and every roster member of the listed groups (at this moment),
    /// never the bot's own account.
    func addresses(of recipients: [AlertRecipient]) -> Set<JID> {
        var addresses = Set<JID>()
        for recipient in recipients {
            switch recipient {
            case .account(let jid):
                addresses.insert(jid)
            case .group(let name):
                for item in client.roster.allItems where item.groups.contains(name) { addresses.insert(item.jid) }
            }
        }
        addresses.remove(client.configuration.account)
        return addresses
    }

    /// Sends `body` as a chat message to each address. `what` names the message in log lines
    /// ("health alert"), with `metadata`.
    /// While a resumable session waits for its connection the client keeps the messages and
    /// sends them on the resumed stream; only with no session at all are they dropped.
    func send(_ body: String, to addresses: Set<JID>, what: String, metadata: Logger.Metadata) async {
        for address in addresses.sorted() {
            do {
                try await client.send(Message(.chat, to: address, body: body, id: client.makeStanzaID()).element)
            } catch ConnectionError.notConnected {
                logger.warning("\(what) not sent: offline", metadata: metadata)
                return
            } catch {
                logger.warning("could not send a \(what)", metadata: metadata.merging(["jid": "\(address)", "error": "\(error)"]) { $1 })
            }
        }
        logger.notice("\(what) sent", metadata: metadata.merging(["recipients": "\(addresses.count)"]) { $1 })
    }
}
