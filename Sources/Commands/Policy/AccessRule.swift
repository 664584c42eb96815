import XMPPCore

/// One entry of a command's allow or deny list.
public enum AccessRule: Hashable, Sendable, CustomStringConvertible {
    /// Any resource of the bot's own account.
    case ownAccount
    /// Contacts in this roster group of the bot's account.
    case group(String)
    /// This one account (bare JID), whatever its resource.
    case account(JID)

    /// Reads the configuration syntax: `self`, `group:NAME`, `jid:user@host`.
    public init(parsing text: String) throws(AccessRuleError) {
        let trimmed = text.trimmingWhitespace()
        if trimmed == "self" {
            self = .ownAccount
        } else if trimmed.hasPrefix("group:") {
            let name = String(trimmed.dropFirst("group:".count))
            guard !name.isEmpty else { throw .emptyGroup(text) }
            self = .group(name)
        } else if trimmed.hasPrefix("jid:") {
            let address = String(trimmed.dropFirst("jid:".count))
            let jid: JID
            do {
                jid = try JID(address)
            } catch {
                throw .invalidJID(text, error)
            }
            guard jid.isBare else { throw .fullJID(text) }
            self = .account(jid)
        } else {
            throw .unknownForm(text)
        }
    }

    public var description: String {
        switch self {
        case .ownAccount: "self"
        case .group(let name): "group:\(name)"
        case .account(let jid): "jid:\(jid)"
        }
    }

    /// Whether this rule covers the requester. `groups` reads the live roster.
    func matches(_ requester: JID, account: JID, groups: Set<String>) -> Bool {
        switch self {
        case .ownAccount: requester.bare == account.bare
        case .group(let name): groups.contains(name)
        case .account(let jid): requester.bare == jid
        }
    }
}

public enum AccessRuleError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownForm(String)
    case emptyGroup(String)
    case invalidJID(String, JIDError)
    case fullJID(String)

    public var description: String {
        switch self {
        case .unknownForm(let text): "'\(text)' is not a rule: write self, group:NAME or jid:user@host"
        case .emptyGroup(let text): "'\(text)' names no group"
        case .invalidJID(let text, let error): "'\(text)': \(error)"
        case .fullJID(let text): "'\(text)' names a resource; rules name accounts (user@host)"
        }
    }
}
