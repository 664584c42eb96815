import XMPPCore

/// Decides what an incoming `<message/>` is to the chat front end: a line a person typed, a
/// line that waited in storage too long to be run, or something never to answer.
///
/// Never answered: errors (answering an error is how bot loops start), groupchat (the fleet
/// room has its own intake), headlines, messages without a body (chat states, receipts), carbon copies and
/// other forwarded messages, messages from the bot's own connection, and messages marked as
/// automated with XEP-0334 hints (the bot's own answers carry them, so two bots do not talk
/// forever).
public enum IncomingChat: Sendable, Equatable {
    /// Typed by `from`; `id` is the stanza's id (for receipts), `wantsReceipt` when it asks for one.
    case line(String, from: JID, id: String?, wantsReceipt: Bool)
    /// Stored while the bot was away (offline storage, a delayed replay): never run.
    case stale(String, from: JID, age: Double?)
    case ignored(Reason)

    public enum Reason: String, Sendable {
        case error, groupchat, headline, noBody, forwarded, ownConnection, automated, noSender
    }

    public static let hintsNamespace = "urn:xmpp:hints"
    public static let delayNamespace = "urn:xmpp:delay"
    public static let receiptsNamespace = "urn:xmpp:receipts"
    static let carbonsNamespace = "urn:xmpp:carbons:2"
    static let forwardNamespace = "urn:xmpp:forward:0"

    /// `now` is seconds since the epoch; a delayed message older than `staleAfter` seconds
    /// (or whose stamp cannot be read) is stale.
    public static func classify(_ message: Message, ownJID: JID?, now: Double, staleAfter: Double) -> IncomingChat {
        switch message.kind {
        case .error: return .ignored(.error)
        case .groupchat: return .ignored(.groupchat)
        case .headline: return .ignored(.headline)
        case .chat, .normal: break
        }
        let element = message.element
        if element.elements.contains(where: { $0.namespace == carbonsNamespace || $0.namespace == forwardNamespace }) {
            return .ignored(.forwarded)
        }
        guard let from = message.from else { return .ignored(.noSender) }
        if let ownJID, from == ownJID { return .ignored(.ownConnection) }
        guard let body = message.body, !body.trimmingWhitespace().isEmpty else { return .ignored(.noBody) }
        if element.child("no-copy", namespace: hintsNamespace) != nil || element.child("no-store", namespace: hintsNamespace) != nil {
            return .ignored(.automated)
        }
        let delays = element.children("delay", namespace: delayNamespace)
        if !delays.isEmpty {
            let age = age(of: delays, now: now)
            if age.map({ $0 > staleAfter }) ?? true { return .stale(body, from: from, age: age) }
        }
        return .line(body, from: from, id: message.id, wantsReceipt: message.receiptRequest != nil)
    }

    /// How long ago a delayed message was first sent, by its oldest `<delay/>` stamp: each hop
    /// that held it (offline storage, a stream management replay) may add one, and the
    /// message is as old as the first. Nil when any stamp cannot be read.
    public static func age(of delays: [XMLElement], now: Double) -> Double? {
        var oldest: Double?
        for delay in delays {
            guard let stamp = delay[attribute: "stamp"].flatMap(Timestamp.secondsSinceEpoch) else { return nil }
            oldest = min(oldest ?? stamp, stamp)
        }
        return oldest.map { now - $0 }
    }
}

extension Message {
    public var id: String? { element[attribute: "id"] }

    /// The id to acknowledge when the message asks for a receipt (XEP-0184), else nil.
    public var receiptRequest: String? {
        element.child("request", namespace: IncomingChat.receiptsNamespace) != nil ? id : nil
    }
}
