import Commands
import XMPPClient
import XMPPCore

/// Who may see the bot's presence: anyone some command's rules admit, and anyone
/// `[presence] subscribers` names; the rest are declined or left pending, as configured.
extension Daemon {
    func subscriptionDecision(for contact: JID) -> SubscriptionDecision {
        let settings = configuration.withLock { $0.subscriptions }
        if someCommandRuleAdmits(contact)
            || settings.subscribers.permits(contact, account: client.configuration.account, directory: RosterGroups(roster: client.roster)) {
            return .approve
        }
        switch settings.otherRequests {
        case .decline: return .decline
        case .pending: return .leavePending
        }
    }

    /// Whether any command rule admits this contact: the configured rules, not only the
    /// commands offered right now (a media remote is listed only while a player runs, and
    /// D-Bus commands arrive after login, when the server redelivers pending requests).
    func someCommandRuleAdmits(_ contact: JID) -> Bool {
        let policies = configuration.withLock { Self.configuredPolicies($0) }
        let account = client.configuration.account
        let groups = RosterGroups(roster: client.roster)
        let rules = policies + commandFiles.definitions.map(\.policy)
        return rules.contains { $0.permits(contact, account: account, directory: groups) } || engine.admitsAnyCommand(contact)
    }

    /// The rules of every enabled built-in and every `[[dbus]]` block.
    static func configuredPolicies(_ configuration: DaemonConfiguration) -> [AccessPolicy] {
        configuration.builtins.values.filter(\.enabled).map(\.policy) + configuration.dbus.map(\.policy)
    }
}
