import XMPPCore

/// Who may list and run a command: default deny, `deny` wins over `allow`.
public struct AccessPolicy: Hashable, Sendable, CustomStringConvertible {
    public var allow: [AccessRule]
    public var deny: [AccessRule]

    public init(allow: [AccessRule], deny: [AccessRule] = []) {
        self.allow = allow
        self.deny = deny
    }

    /// The default when a command names no rules: only the bot's own account.
    public static let ownAccountOnly = AccessPolicy(allow: [.ownAccount])

    /// Parses rule lists from configuration; no allow rules at all means `self`.
    public init(allow: [String], deny: [String]) throws(AccessRuleError) {
        var allowRules: [AccessRule] = []
        for text in allow { allowRules.append(try AccessRule(parsing: text)) }
        var denyRules: [AccessRule] = []
        for text in deny { denyRules.append(try AccessRule(parsing: text)) }
        self.init(allow: allowRules.isEmpty ? [.ownAccount] : allowRules, deny: denyRules)
    }

    /// Decides for one requester against the roster as it is right now.
    public func permits(_ requester: JID, account: JID, directory: some GroupDirectory) -> Bool {
        let groups = directory.groups(of: requester)
        if deny.contains(where: { $0.matches(requester, account: account, groups: groups) }) { return false }
        return allow.contains { $0.matches(requester, account: account, groups: groups) }
    }

    /// Every group the rules mention, to warn about names the roster does not have.
    public var groupNames: Set<String> {
        Set((allow + deny).compactMap { if case .group(let name) = $0 { name } else { nil } })
    }

    public var description: String {
        let allowed = allow.map(\.description).joined(separator: ", ")
        return deny.isEmpty ? "allow \(allowed)" : "allow \(allowed); deny \(deny.map(\.description).joined(separator: ", "))"
    }
}

/// Where group membership comes from: the bot account's live roster.
public protocol GroupDirectory: Sendable {
    func groups(of contact: JID) -> Set<String>
}

/// A fixed table of memberships, for tests and tools.
public struct StaticGroupDirectory: GroupDirectory {
    public var memberships: [JID: Set<String>]

    public init(_ memberships: [JID: Set<String>] = [:]) {
        self.memberships = memberships
    }

    public func groups(of contact: JID) -> Set<String> { memberships[contact.bare] ?? [] }
}
