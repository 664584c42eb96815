/// Namespaces of XEP-0030 and XEP-0115.
public enum DiscoNamespace {
    public static let info = "http://jabber.org/protocol/disco#info"
    public static let items = "http://jabber.org/protocol/disco#items"
    public static let caps = "http://jabber.org/protocol/caps"
}

public struct DiscoIdentity: Hashable, Sendable {
    public var category: String
    public var type: String
    public var name: String?

    public init(category: String, type: String, name: String? = nil) {
        self.category = category
        self.type = type
        self.name = name
    }

    public var element: XMLElement {
        XMLElement("identity", namespace: DiscoNamespace.info, ["category": category, "type": type, "name": name])
    }
}

/// A disco#info answer.
public struct DiscoInfo: Sendable, Equatable {
    public var identities: [DiscoIdentity]
    public var features: [String]

    public init(identities: [DiscoIdentity], features: [String]) {
        self.identities = identities
        self.features = features
    }

    public func element(node: String?) -> XMLElement {
        var query = XMLElement("query", namespace: DiscoNamespace.info, ["node": node])
        for identity in identities { query.append(identity.element) }
        for feature in features.sorted() {
            query.append(XMLElement("feature", namespace: DiscoNamespace.info, ["var": feature]))
        }
        return query
    }
}

public struct DiscoItem: Sendable, Equatable {
    public var jid: JID
    public var node: String?
    public var name: String?

    public init(jid: JID, node: String? = nil, name: String? = nil) {
        self.jid = jid
        self.node = node
        self.name = name
    }

    public var element: XMLElement {
        XMLElement("item", namespace: DiscoNamespace.items, ["jid": jid.description, "node": node, "name": name])
    }
}

