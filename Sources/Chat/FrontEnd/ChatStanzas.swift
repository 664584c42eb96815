import XMPPCore

/// The messages the chat front end sends: answers, chat states, receipts.
public enum ChatStanzas {
    static let chatStatesNamespace = "http://jabber.org/protocol/chatstates"

    /// One answer: the text, `<active/>` (XEP-0085: a message that follows a chat state
    /// carries one), and `<no-copy/>` (XEP-0334), which marks it as automated: other bots (and
    /// adhocd itself) never answer it, and carbons do not copy it to the contact's other clients.
    ///
    /// Deliberately not `<no-store/>`: Prosody's archive (mod_mam) and ejabberd's offline
    /// storage drop such messages, and a phone that went offline for a moment would never
    /// receive the answer to what it asked (Prosody hands offline messages only to clients that
    /// do not use the archive).
    /// The body is held to one message's budget, whatever built it (a question with a
    /// thousand options included).
    public static func answer(_ body: String, to contact: JID, id: String) -> XMLElement {
        var message = Message(.chat, to: contact, body: OutcomeText.standard.cut(body), id: id).element
        message.append(XMLElement("active", namespace: chatStatesNamespace))
        message.append(XMLElement("no-copy", namespace: IncomingChat.hintsNamespace))
        return message
    }

    /// `<composing/>`: a command is taking a while. Not stored, not copied: it means nothing later.
    static func composing(to contact: JID, id: String) -> XMLElement {
        var message = XMLElement("message", namespace: StreamNamespace.client, ["type": "chat", "to": contact.description, "id": id])
        message.append(XMLElement("composing", namespace: chatStatesNamespace))
        message.append(XMLElement("no-store", namespace: IncomingChat.hintsNamespace))
        message.append(XMLElement("no-copy", namespace: IncomingChat.hintsNamespace))
        return message
    }

    /// XEP-0184: the message with id `received` arrived.
    static func receipt(for received: String, to contact: JID, id: String) -> XMLElement {
        var message = XMLElement("message", namespace: StreamNamespace.client, ["to": contact.description, "id": id])
        message.append(XMLElement("received", namespace: IncomingChat.receiptsNamespace, ["id": received]))
        return message
    }
}
