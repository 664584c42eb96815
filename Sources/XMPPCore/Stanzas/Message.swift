/// A `<message/>` stanza.
public struct Message: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case normal, chat, groupchat, headline, error
    }

    public var element: XMLElement

    public init(element: XMLElement) {
        self.element = element
    }

    public init(_ kind: Kind = .chat, to: JID, body: String, id: String? = nil) {
        element = XMLElement("message", namespace: StreamNamespace.client, [
            "type": kind.rawValue, "to": to.description, "id": id,
        ])
        element.append(XMLElement("body", namespace: StreamNamespace.client, text: body))
    }

    public var kind: Kind { element[attribute: "type"].flatMap(Kind.init(rawValue:)) ?? .normal }
    public var from: JID? { element[attribute: "from"].flatMap { try? JID($0) } }
    public var to: JID? { element[attribute: "to"].flatMap { try? JID($0) } }
    public var body: String? { element.childText("body") }
}
