import AdHoc
import XMPPClient
import XMPPCore

/// Who may see the bot's presence: anyone some command's rules admit, and anyone
/// `[presence] subscribers` names; the rest are declined or left pending, as configured.
extension Daemon {
    func subscriptionDecision(for contact: JID) -> SubscriptionDecision {
        let (settings, policies) = configuration.withLock { configuration in
            (configuration.subscriptions, Self.configuredPolicies(configuration))
        }
        let account = client.configuration.account
        let groups = RosterGroups(roster: client.roster)
        // The configured rules, not only the commands offered right now: a media remote is
        // listed only while a player runs, and D-Bus commands arrive after login, when the
        // server redelivers pending requests.
        let rules = policies + commandFiles.definitions.map(\.policy) + [settings.subscribers]
        if rules.contains(where: { $0.permits(contact, account: account, directory: groups) }) || responder.admitsAnyCommand(contact) {
            return .approve
        }
        switch settings.otherRequests {
        case .decline: return .decline
        case .pending: return .leavePending
        }
    }

    /// The rules of every enabled built-in and every `[[dbus]]` block.
    static func configuredPolicies(_ configuration: DaemonConfiguration) -> [AccessPolicy] {
        configuration.builtins.values.filter(\.enabled).map(\.policy) + configuration.dbus.map(\.policy)
    }
}
