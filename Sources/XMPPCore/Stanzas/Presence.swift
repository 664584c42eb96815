/// A `<presence/>` stanza.
public struct Presence: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case available, unavailable, subscribe, subscribed, unsubscribe, unsubscribed, probe, error
    }

    /// Availability sub-states (RFC 6121 §4.7.2.1); `online` is the absence of `<show/>`.
    public enum Show: String, Sendable, CaseIterable {
        case online, chat, away, xa, dnd
    }

    public var element: XMLElement

    public init(element: XMLElement) {
        self.element = element
    }

    public init(_ kind: Kind = .available, to: JID? = nil, show: Show = .online, status: String? = nil, priority: Int? = nil) {
        element = XMLElement("presence", namespace: StreamNamespace.client, [
            "type": kind == .available ? nil : kind.rawValue, "to": to?.description,
        ])
        if show != .online { element.append(XMLElement("show", namespace: StreamNamespace.client, text: show.rawValue)) }
        if let status, !status.isEmpty { element.append(XMLElement("status", namespace: StreamNamespace.client, text: status)) }
        if let priority { element.append(XMLElement("priority", namespace: StreamNamespace.client, text: String(priority))) }
    }

    /// The type; a missing `type` attribute means available. Nil for an unknown type.
    public var kind: Kind? {
        guard let type = element[attribute: "type"] else { return .available }
        return Kind(rawValue: type)
    }

    public var from: JID? { element[attribute: "from"].flatMap { try? JID($0) } }
    public var to: JID? { element[attribute: "to"].flatMap { try? JID($0) } }
    public var show: Show { element.childText("show").flatMap(Show.init(rawValue:)) ?? .online }
    public var status: String? { element.childText("status") }
    public var priority: Int { element.childText("priority").flatMap { Int($0) } ?? 0 }
}
