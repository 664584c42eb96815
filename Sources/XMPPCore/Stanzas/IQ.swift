/// An `<iq/>` stanza: a request (get/set) with exactly one payload, or its answer.
public struct IQ: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case get, set, result, error

        public var isRequest: Bool { self == .get || self == .set }
    }

    public var element: XMLElement

    public init(element: XMLElement) {
        self.element = element
    }

    public init(_ kind: Kind, id: String, to: JID? = nil, from: JID? = nil, payload: XMLElement? = nil) {
        element = XMLElement("iq", namespace: StreamNamespace.client, [
            "type": kind.rawValue, "id": id, "to": to?.description, "from": from?.description,
        ])
        if let payload { element.append(payload) }
    }

    /// The type, or nil when the attribute is missing or unknown (a malformed stanza).
    public var kind: Kind? { element[attribute: "type"].flatMap(Kind.init(rawValue:)) }
    public var id: String? { element[attribute: "id"] }
    public var from: JID? { element[attribute: "from"].flatMap { try? JID($0) } }
    public var to: JID? { element[attribute: "to"].flatMap { try? JID($0) } }

    /// The first child element other than `<error/>`: the request's or result's payload.
    public var payload: XMLElement? {
        for case .element(let child) in element.children where !(child.name == "error" && child.namespace == StreamNamespace.client) {
            return child
        }
        return nil
    }

    public var error: StanzaError? {
        element.child("error", namespace: StreamNamespace.client).map(StanzaError.init(element:))
    }

    /// The `result` answering this request, addressed back to its sender.
    public func result(payload: XMLElement? = nil) -> IQ {
        var answer = XMLElement("iq", namespace: StreamNamespace.client, [
            "type": Kind.result.rawValue, "id": id ?? "", "to": element[attribute: "from"],
        ])
        if let payload { answer.append(payload) }
        return IQ(element: answer)
    }

    /// The `error` answering this request. It never carries the request's payload (optional
    /// by RFC 6120 §8.3.1): echoing a stranger's oversized request would push the answer past
    /// the server's stanza limit and cost us the connection.
    public func error(_ error: StanzaError) -> IQ {
        var answer = XMLElement("iq", namespace: StreamNamespace.client, [
            "type": Kind.error.rawValue, "id": id ?? "", "to": element[attribute: "from"],
        ])
        answer.append(error.element)
        return IQ(element: answer)
    }
}
