import XMPPCore

/// The answer to a stanza the parser skipped for breaking a limit: a request (IQ get or set)
/// gets a small `resource-constraint` error of type `modify` (send something smaller), since its
/// sender waits for exactly one answer (RFC 6120 §8.2.3); anything else is dropped, as an error
/// to a message or presence could start a loop between two bots.
///
/// Not `policy-violation`: libraries that know only RFC 3920's conditions (slixmpp, so Poezio)
/// fail on it and answer our error with an error of their own.
enum SkippedStanzaAnswer {
    static func answer(to skipped: SkippedStanza) -> XMLElement? {
        guard skipped.isRequest, skipped.namespace == StreamNamespace.client, let id = skipped.id else { return nil }
        // A sender that is no valid JID cannot be answered (and the server would not route it).
        if let from = skipped.from, (try? JID(from)) == nil { return nil }
        var iq = XMLElement("iq", namespace: StreamNamespace.client, ["type": "error", "id": id, "to": skipped.from])
        iq.append(StanzaError(.resourceConstraint, type: .modify, text: "the request was not read: it is \(skipped.reason)").element)
        return iq
    }
}
