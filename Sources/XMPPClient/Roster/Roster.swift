import Synchronization
import XMPPCore

/// One contact on the account's roster (RFC 6121 §2.1.2).
public struct RosterItem: Sendable, Equatable {
    public enum Subscription: String, Sendable {
        case none, to, from, both, remove
    }

    public var jid: JID
    public var name: String?
    public var subscription: Subscription
    /// A subscription request of ours is pending.
    public var pendingOut: Bool
    public var groups: Set<String>

    public init(jid: JID, name: String? = nil, subscription: Subscription = .none, pendingOut: Bool = false, groups: Set<String> = []) {
        self.jid = jid.bare
        self.name = name
        self.subscription = subscription
        self.pendingOut = pendingOut
        self.groups = groups
    }

    /// Reads an `<item/>`; nil when its JID is missing or invalid.
    public init?(element: XMLElement) {
        guard let text = element[attribute: "jid"], let jid = try? JID(text) else { return nil }
        self.init(
            jid: jid,
            name: element[attribute: "name"].flatMap { $0.isEmpty ? nil : $0 },
            subscription: element[attribute: "subscription"].flatMap(Subscription.init(rawValue:)) ?? .none,
            pendingOut: element[attribute: "ask"] == "subscribe",
            groups: Set(element.children("group").map(\.text).filter { !$0.isEmpty }))
    }

    /// The `<item/>` for a roster set.
    public var element: XMLElement {
        var item = XMLElement("item", namespace: Roster.namespace, ["jid": jid.description, "name": name])
        if subscription == .remove { item[attribute: "subscription"] = "remove" }
        for group in groups.sorted() { item.append(XMLElement("group", namespace: Roster.namespace, text: group)) }
        return item
    }
}

/// The account's roster as the server last told us: fetched at each login, kept current by
/// roster pushes. Reads are cheap and synchronous so permission checks can use it freely.
public final class Roster: Sendable {
    public static let namespace = "jabber:iq:roster"

    private let items = Mutex<[JID: RosterItem]>([:])

    public init() {}

    public func item(for jid: JID) -> RosterItem? {
        items.withLock { $0[jid.bare] }
    }

    /// The groups the contact is in; empty for someone not on the roster.
    public func groups(of jid: JID) -> Set<String> {
        items.withLock { $0[jid.bare]?.groups ?? [] }
    }

    public var allItems: [RosterItem] {
        items.withLock { Array($0.values) }.sorted { $0.jid < $1.jid }
    }

    /// Every group name in use.
    public var allGroups: Set<String> {
        items.withLock { $0.values.reduce(into: Set<String>()) { $0.formUnion($1.groups) } }
    }

    func replaceAll(with newItems: [RosterItem]) {
        let table = Dictionary(newItems.map { ($0.jid, $0) }, uniquingKeysWith: { _, last in last })
        items.withLock { $0 = table }
    }

    /// Applies a roster push; `subscription='remove'` deletes the contact.
    func apply(_ item: RosterItem) {
        items.withLock { items in
            if item.subscription == .remove { items[item.jid] = nil } else { items[item.jid] = item }
        }
    }

    /// The items of a `<query xmlns='jabber:iq:roster'/>`.
    static func items(in query: XMLElement) -> [RosterItem] {
        query.children("item", namespace: namespace).compactMap(RosterItem.init(element:))
    }
}
