import XMPPCore

/// Messages wait for a new session's roster, as command requests do (`IQRouter.rosterLoading`).
///
/// Who may chat, and which command a line runs, is decided on the roster's groups. Servers hand
/// the bot messages to its full JID as soon as it is bound, before its roster request is
/// answered: decided then, on the last connection's roster, a contact removed from a group while
/// the bot was away could still run its commands. So they are held, in order, and handed on
/// right after the roster is applied (where its answer is read: before what follows it).
extension XMPPClient {
    /// More than a roster's round trip brings; a flood past it is dropped, with a log line.
    static let messagesHeldForRoster = 64

    /// Hands a message on, or holds it while the roster is the last connection's.
    func handOn(_ message: Message) {
        guard !roster.isCurrent else {
            broadcaster.yield(.message(message))
            return
        }
        state.withLock { state in
            if state.messagesAwaitingRoster.count < Self.messagesHeldForRoster {
                state.messagesAwaitingRoster.append(message)
            } else {
                state.messagesDroppedAwaitingRoster += 1
            }
        }
    }

    /// Applies the roster fetched at login and hands on what waited for it.
    func applyLoadedRoster(_ items: [RosterItem]) {
        roster.load(items)
        let (held, dropped) = takeMessagesAwaitingRoster()
        if dropped > 0 {
            logger.warning("dropped messages that arrived while the roster loaded", metadata: ["held": "\(held.count)", "dropped": "\(dropped)"])
        }
        for message in held { broadcaster.yield(.message(message)) }
    }

    /// A connection that ended for good before its roster came: its messages go with it, as
    /// answers to its requests do.
    func dropMessagesAwaitingRoster() {
        let (held, dropped) = takeMessagesAwaitingRoster()
        guard held.count + dropped > 0 else { return }
        logger.notice("messages that arrived while the roster loaded are lost with the connection", metadata: ["count": "\(held.count + dropped)"])
    }

    private func takeMessagesAwaitingRoster() -> ([Message], Int) {
        state.withLock { state in
            defer {
                state.messagesAwaitingRoster.removeAll()
                state.messagesDroppedAwaitingRoster = 0
            }
            return (state.messagesAwaitingRoster, state.messagesDroppedAwaitingRoster)
        }
    }
}
