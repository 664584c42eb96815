import Synchronization
import XMPPCore

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

    private struct NodeProviders {
        var info: DiscoInfoProvider?
        var items: DiscoItemsProvider?
        var requiresRoster: Bool
    }

    private struct State {
        var identities: [DiscoIdentity]
        var features: Set<String>
        var nodeProviders: [String: NodeProviders] = [:]
    }

    private let state: Mutex<State>
    private let roster: Roster

    init(identity: DiscoIdentity, capsNode: String, roster: Roster) {
        self.capsNode = capsNode
        self.roster = roster
        state = Mutex(State(identities: [identity], features: [DiscoNamespace.info, DiscoNamespace.items, DiscoNamespace.caps]))
    }

    public func addFeature(_ feature: String) {
        _ = state.withLock { $0.features.insert(feature) }
    }

    public func removeFeature(_ feature: String) {
        _ = state.withLock { $0.features.remove(feature) }
    }

    /// Lets a module answer for its nodes; `key` names the module so it can be replaced. With
    /// `requiresRoster`, its nodes are answered with a temporary error (type `wait`) after each
    /// new login until the roster is loaded, as its answers depend on who the requester is.
    public func setNodeProviders(_ key: String, info: DiscoInfoProvider?, items: DiscoItemsProvider?, requiresRoster: Bool = false) {
        state.withLock { state in
            state.nodeProviders[key] = NodeProviders(info: info, items: items, requiresRoster: requiresRoster)
        }
    }

    /// The providers to ask about a node, in a stable order; throws while the roster loads if
    /// any of them depends on it.
    private func providers() throws(StanzaError) -> [NodeProviders] {
        let providers = state.withLock { $0.nodeProviders.sorted { $0.key < $1.key }.map(\.value) }
        if providers.contains(where: \.requiresRoster), !roster.isCurrent { throw IQRouter.rosterLoading }
        return providers
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
        for provider in try providers().compactMap(\.info) {
            if let answer = try await provider(node, request.from) { return answer.element(node: node) }
        }
        throw StanzaError(.itemNotFound)
    }

    func answerItems(_ request: IQRequest) async throws -> XMLElement? {
        let node = request.payload[attribute: "node"]
        guard let node, !node.isEmpty else { return XMLElement("query", namespace: DiscoNamespace.items) }
        for provider in try providers().compactMap(\.items) {
            if let items = try await provider(node, request.from) {
                return Self.itemsAnswer(node: node, items: items)
            }
        }
        throw StanzaError(.itemNotFound)
    }

    /// Bytes of items one disco#items answer lists: a list past this (thousands of D-Bus
    /// methods) is cut, well within any stanza limit and what a phone can show.
    public static let maximumItemsBytes = 65_536
    /// Bytes of one item's name as written.
    public static let maximumNameBytes = 256
    public static let resultSetNamespace = "http://jabber.org/protocol/rsm"

    /// The answer listing `items` under `node`, cut to `maximumItemsBytes`. A cut list ends
    /// with a XEP-0059 `<set/>` whose `<count/>` says how many items there are in all: the
    /// standard way to tell a client the list goes on.
    static func itemsAnswer(node: String, items: [DiscoItem], maximumBytes: Int = maximumItemsBytes) -> XMLElement {
        var query = XMLElement("query", namespace: DiscoNamespace.items, ["node": node])
        var used = 0
        for var item in items {
            if let name = item.name { item.name = String(XMLEscaping.prefix(of: name, escapedBytes: maximumNameBytes)) }
            let element = item.element
            used += element.serialized(inheritedNamespace: DiscoNamespace.items).utf8.count
            guard used <= maximumBytes else {
                var set = XMLElement("set", namespace: resultSetNamespace)
                set.append(XMLElement("count", namespace: resultSetNamespace, text: String(items.count)))
                query.append(set)
                return query
            }
            query.append(element)
        }
        return query
    }
}
