import Crypto
import Synchronization
import XMPPCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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

    var element: XMLElement {
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

    /// The XEP-0115 §5.1 verification string: identities then features, sorted, '<'-terminated,
    /// SHA-1, base64. Identities carry no xml:lang here.
    public var capsVerification: String {
        var input = ""
        let sortedIdentities = identities.sorted { ($0.category, $0.type, $0.name ?? "") < ($1.category, $1.type, $1.name ?? "") }
        for identity in sortedIdentities {
            input += "\(identity.category)/\(identity.type)//\(identity.name ?? "")<"
        }
        for feature in Set(features).sorted() { input += feature + "<" }
        return Data(Insecure.SHA1.hash(data: Array(input.utf8))).base64EncodedString()
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

    var element: XMLElement {
        XMLElement("item", namespace: DiscoNamespace.items, ["jid": jid.description, "node": node, "name": name])
    }
}

/// Answers disco#info for a node on behalf of one module; nil means "not my node".
public typealias DiscoInfoProvider = @Sendable (_ node: String, _ requester: JID) async throws -> DiscoInfo?
/// Lists a node's items for this requester; nil means "not my node".
public typealias DiscoItemsProvider = @Sendable (_ node: String, _ requester: JID) async throws -> [DiscoItem]?

/// The XEP-0030 responder and the XEP-0115 capabilities derived from it.
///
/// The entity itself answers the same to everyone (its caps hash is public); per-requester
/// answers belong to nodes, which modules serve through providers.
public final class ServiceDiscovery: Sendable {
    /// The software's caps node URI.
    public let capsNode: String

    private struct State {
        var identities: [DiscoIdentity]
        var features: Set<String>
        var infoProviders: [String: DiscoInfoProvider] = [:]
        var itemsProviders: [String: DiscoItemsProvider] = [:]
    }

    private let state: Mutex<State>

    init(identity: DiscoIdentity, capsNode: String) {
        self.capsNode = capsNode
        state = Mutex(State(identities: [identity], features: [DiscoNamespace.info, DiscoNamespace.items, DiscoNamespace.caps]))
    }

    public func addFeature(_ feature: String) {
        _ = state.withLock { $0.features.insert(feature) }
    }

    public func removeFeature(_ feature: String) {
        _ = state.withLock { $0.features.remove(feature) }
    }

    /// Lets a module answer for its nodes; `key` names the module so it can be replaced.
    public func setNodeProviders(_ key: String, info: DiscoInfoProvider?, items: DiscoItemsProvider?) {
        state.withLock { state in
            state.infoProviders[key] = info
            state.itemsProviders[key] = items
        }
    }

    /// What the entity itself advertises.
    public var info: DiscoInfo {
        state.withLock { DiscoInfo(identities: $0.identities, features: Array($0.features).sorted()) }
    }

    /// The `<c/>` element for our presence.
    public var capsElement: XMLElement {
        XMLElement("c", namespace: DiscoNamespace.caps, [
            "hash": "sha-1", "node": capsNode, "ver": info.capsVerification,
        ])
    }

    func answerInfo(_ request: IQRequest) async throws -> XMLElement? {
        let node = request.payload[attribute: "node"]
        let own = info
        guard let node, !node.isEmpty else { return own.element(node: nil) }
        if node == "\(capsNode)#\(own.capsVerification)" { return own.element(node: node) }
        let providers = state.withLock { Array($0.infoProviders.values) }
        for provider in providers {
            if let answer = try await provider(node, request.from) { return answer.element(node: node) }
        }
        throw StanzaError(.itemNotFound)
    }

    func answerItems(_ request: IQRequest) async throws -> XMLElement? {
        let node = request.payload[attribute: "node"]
        var query = XMLElement("query", namespace: DiscoNamespace.items, ["node": node])
        guard let node, !node.isEmpty else { return query }
        let providers = state.withLock { Array($0.itemsProviders.values) }
        for provider in providers {
            if let items = try await provider(node, request.from) {
                for item in items { query.append(item.element) }
                return query
            }
        }
        throw StanzaError(.itemNotFound)
    }
}
