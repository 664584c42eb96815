import Logging
import XMPPCore

/// Presence subscriptions from contacts (RFC 6121 §3): requests go to the subscription policy;
/// cancellations are logged and mirrored.
///
/// The servers keep both rosters' subscription states; the client decides whom to let see its
/// presence and keeps its own side tidy: a contact it approves also gets a subscription request
/// back (so their roster shows "both"), and one who stops following it loses that reverse
/// subscription again.
extension XMPPClient {
    func handleSubscriptionChange(_ kind: Presence.Kind, from sender: JID) async {
        let contact = sender.bare
        // Our own account's resources see our presence anyway; nothing to decide.
        guard contact != configuration.account else { return }
        switch kind {
        case .subscribe:
            await answerSubscriptionRequest(from: contact)
        case .unsubscribe:
            logger.info("contact stopped following our presence", metadata: ["jid": "\(contact)"])
            if weFollow(contact) {
                await sendSubscription(.unsubscribe, to: contact)
            }
        case .unsubscribed:
            logger.info("contact cancelled or refused our subscription to their presence", metadata: ["jid": "\(contact)"])
        case .subscribed:
            logger.debug("contact approved our subscription to their presence", metadata: ["jid": "\(contact)"])
        default:
            break
        }
    }

    func answerSubscriptionRequest(from contact: JID) async {
        let policy = state.withLock { $0.subscriptionPolicy }
        switch await policy(contact) {
        case .approve:
            logger.info("approving a presence subscription", metadata: ["jid": "\(contact)"])
            await sendSubscription(.subscribed, to: contact)
            if !weFollow(contact) { await sendSubscription(.subscribe, to: contact) }
        case .decline:
            logger.notice("declining a presence subscription request", metadata: ["jid": "\(contact)"])
            await sendSubscription(.unsubscribed, to: contact)
        case .leavePending:
            logger.notice("leaving a presence subscription request pending for a person to answer", metadata: ["jid": "\(contact)"])
        }
    }

    /// Whether we are subscribed to the contact's presence, or have asked to be.
    private func weFollow(_ contact: JID) -> Bool {
        guard let item = roster.item(for: contact) else { return false }
        return item.subscription == .to || item.subscription == .both || item.pendingOut
    }

    private func sendSubscription(_ kind: Presence.Kind, to contact: JID) async {
        do {
            try await send(Presence(kind, to: contact).element)
        } catch {
            logger.warning("could not send a subscription answer", metadata: ["jid": "\(contact)", "type": "\(kind.rawValue)", "error": "\(error)"])
        }
    }
}

extension Presence.Kind {
    var isSubscriptionChange: Bool {
        self == .subscribe || self == .subscribed || self == .unsubscribe || self == .unsubscribed
    }
}
