import AdHoc
import XMPPClient
import XMPPCore

/// Who may see the bot's presence: anyone some command's rules admit, and anyone
/// `[presence] subscribers` names; the rest are declined or left pending, as configured.
extension Daemon {
    func subscriptionDecision(for contact: JID) -> SubscriptionDecision {
        let settings = configuration.withLock { $0.subscriptions }
        if responder.admitsAnyCommand(contact)
            || settings.subscribers.permits(contact, account: client.configuration.account, directory: RosterGroups(roster: client.roster)) {
            return .approve
        }
        switch settings.otherRequests {
        case .decline: return .decline
        case .pending: return .leavePending
        }
    }
}
