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
///
/// The login roster and pushes are applied where the stream is read, in stream order, so a
/// snapshot never overwrites a newer push. Between a new login and its roster's arrival the
/// roster is not current (`isCurrent` is false): what it holds is the last connection's.
public final class Roster: Sendable {
    public static let namespace = "jabber:iq:roster"

    private struct State {
        var items: [JID: RosterItem] = [:]
        var isCurrent = false
    }

    private let state = Mutex(State())

    public init() {}

    public func item(for jid: JID) -> RosterItem? {
        state.withLock { $0.items[jid.bare] }
    }

    /// The groups the contact is in; empty for someone not on the roster.
    public func groups(of jid: JID) -> Set<String> {
        state.withLock { $0.items[jid.bare]?.groups ?? [] }
    }

    public var allItems: [RosterItem] {
        state.withLock { Array($0.items.values) }.sorted { $0.jid < $1.jid }
    }

    /// Every group name in use.
    public var allGroups: Set<String> {
        state.withLock { $0.items.values.reduce(into: Set<String>()) { $0.formUnion($1.groups) } }
    }

    /// Whether the roster is this session's: false from a new login until its roster arrives.
    public var isCurrent: Bool { state.withLock { $0.isCurrent } }

    /// A new session began: until its roster is loaded, what we hold may be out of date.
    func markStale() {
        state.withLock { $0.isCurrent = false }
    }

    /// The roster fetched at login replaces everything.
    func load(_ newItems: [RosterItem]) {
        let table = Dictionary(newItems.map { ($0.jid, $0) }, uniquingKeysWith: { _, last in last })
        state.withLock { state in
            state.items = table
            state.isCurrent = true
        }
    }

    /// Applies a roster push; `subscription='remove'` deletes the contact.
    func apply(_ item: RosterItem) {
        state.withLock { state in
            if item.subscription == .remove { state.items[item.jid] = nil } else { state.items[item.jid] = item }
        }
    }

    /// Checks and applies a roster push (RFC 6121 §2.1.6): believed only from our own account
    /// (no `from`, or our bare JID), with exactly one item. Returns the changed item, or the
    /// error to answer with.
    func applyPush(_ payload: XMLElement, from sender: JID?, account: JID) -> Result<RosterItem, StanzaError> {
        guard sender == nil || sender == account else { return .failure(StanzaError(.serviceUnavailable)) }
        let items = Self.items(in: payload)
        guard items.count == 1, let item = items.first else {
            return .failure(StanzaError(.badRequest, text: "a roster push carries exactly one item"))
        }
        apply(item)
        return .success(item)
    }

    /// The items of a `<query xmlns='jabber:iq:roster'/>`.
    static func items(in query: XMLElement) -> [RosterItem] {
        query.children("item", namespace: namespace).compactMap(RosterItem.init(element:))
    }
}
