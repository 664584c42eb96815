import Chat
import Logging
import XMPPCore

/// Where answers go when the room cannot take them. A command may finish after the bot was
/// kicked, or after the server restarted and the bot is not back in the room yet: a message to
/// a room we are not in bounces (`not-acceptable`). The person who asked still wants the
/// answer, and where they asked: it is held (bounded, see `HeldAnswers`) and posted when the
/// bot is back. When the bot cannot be back soon (banned, the room destroyed, out for longer
/// than `maximumAge`) or too many answers wait, it goes to its requester privately, at their
/// real JID. Every such turn is logged; nothing is dropped without a log line.
extension FleetRoom {
    private enum Route {
        case send(XMLElement, to: JID)
        case hold
        case privately(String)
        /// Over the room's budget (a flood of `all:` lines): dropped, as before.
        case dropped(log: Bool)
    }

    /// Sends one answer within one message's budget: to the room within the room budget too,
    /// or held until the bot is back in the room.
    func deliver(_ answer: RoomAnswer) async {
        var answer = answer
        answer.body = OutcomeText.standard.cut(answer.body)
        let id = makeID()
        let seconds = elapsed()
        let route = state.withLock { state -> Route in
            switch state.membership.phase {
            case .joined:
                switch answer.place {
                case .room:
                    guard state.roomBudget.admit(0, now: seconds) == .allow else {
                        if answer.delayed { return .privately("more answers than the room's message budget allows at once") }
                        return .dropped(log: state.budgetLog.admit(0, now: seconds) == .allow)
                    }
                    state.answers.sent(answer, id: id, to: settings.room, now: seconds)
                    return .send(RoomStanzas.groupchat(answer.body, to: settings.room, id: id), to: settings.room)
                case .occupant(let asked):
                    // A long run may end after its requester left: their nick may be someone else's now.
                    guard let nick = state.occupants.nick(of: answer.requester, preferring: asked) else { return .privately("you left the room") }
                    let occupant = RoomStanzas.occupant(settings.room, nick: nick)
                    state.answers.sent(answer, id: id, to: occupant, now: seconds)
                    return .send(RoomStanzas.privateAnswer(answer.body, to: occupant, id: id), to: occupant)
                }
            case .stopped:
                return .privately("I am no longer in the room")
            case .outside, .joining, .waiting:
                return .hold
            }
        }
        switch route {
        case .send(let element, let to):
            guard await send(element) else {
                // Offline with no session to resume: the next session joins again, then posts it.
                _ = state.withLock { $0.answers.takeBack(id: id, from: to) }
                return await hold(answer)
            }
        case .hold:
            await hold(answer)
        case .privately(let why):
            await deliverPrivately(answer, because: why)
        case .dropped(let log):
            if log { logger.warning("over the room's message budget ([fleet] rate_burst, rate_interval): an answer was not sent") }
        }
    }

    /// Keeps `answer` until the bot is back in the room, for `maximumAge` at most.
    private func hold(_ answer: RoomAnswer) async {
        let (overflow, count, limits) = state.withLock { state in
            (state.answers.hold(answer, now: elapsed()), state.answers.count, state.answers.limits)
        }
        logger.notice(
            "an answer waits for the bot to be back in the fleet room",
            metadata: ["jid": "\(answer.requester)", "held": "\(count)"])
        for old in overflow { await deliverPrivately(old, because: "more than \(limits.capacity) answers waited for me to be back in the room") }
        guard await timer(.seconds(limits.maximumAge)) else { return }
        await expireHeldAnswers()
    }

    /// Answers held for longer than `maximumAge` go to their requesters.
    func expireHeldAnswers() async {
        let (expired, limits) = state.withLock { state in (state.answers.expire(now: elapsed()), state.answers.limits) }
        for answer in expired { await deliverPrivately(answer, because: "I have been out of the room for over \(Int(limits.maximumAge)) s") }
    }

    /// After a change of membership: back in the room, the held answers are posted (in their
    /// order); out of it for good, they go to their requesters.
    func releaseHeldAnswers() -> [Work] {
        let (released, joined) = state.withLock { state -> ([RoomAnswer], Bool) in
            switch state.membership.phase {
            case .joined: (state.answers.release(), true)
            case .stopped: (state.answers.release(), false)
            case .outside, .joining, .waiting: ([], false)
            }
        }
        guard !released.isEmpty else { return [] }
        if joined { logger.notice("posting the answers held while out of the fleet room", metadata: ["count": "\(released.count)"]) }
        return [{ [self] in
            for answer in released {
                if joined { await deliver(answer) } else { await deliverPrivately(answer, because: "I am no longer in the room") }
            }
        }]
    }

    /// An error from the room about a message we sent. An answer it refused because we are no
    /// occupant (kicked as we sent it, a new session re-sending it before rejoining) is held
    /// once more; the room's refusal while we thought we were in means it lost us: join again.
    func bounced(_ message: Message) -> Work? {
        guard let id = message.element[attribute: "id"], let from = message.from else { return nil }
        let error = message.element.child("error").map(StanzaError.init(element:)) ?? StanzaError(.undefinedCondition)
        let notAnOccupant = error.condition == .notAcceptable
        let (found, rejoin) = state.withLock { state -> (RoomAnswer?, [RoomMembership.Action]) in
            guard let answer = state.answers.takeBack(id: id, from: from) else { return (nil, []) }
            return (answer, notAnOccupant && from == settings.room ? state.membership.notAnOccupant() : [])
        }
        let condition = error.condition.rawValue
        guard let answer = found else {
            let seconds = elapsed()
            if id.hasPrefix(idPrefix), state.withLock({ $0.lostLog.admit(0, now: seconds) == .allow }) {
                logger.warning("the fleet room bounced an answer that is no longer held: it is lost", metadata: ["error": "\(condition)", "from": "\(from)"])
            }
            return nil
        }
        let rejoining = work(for: rejoin)
        logger.notice("the fleet room bounced an answer", metadata: ["error": "\(condition)", "jid": "\(answer.requester)"])
        let next: Work
        if notAnOccupant, !answer.bounced {
            var again = answer
            again.bounced = true
            next = { [self, again] in await hold(again) }
        } else if case .occupant = answer.place, error.condition == .itemNotFound {
            next = { [self] in await deliverPrivately(answer, because: "you left the room") }
        } else {
            next = { [self] in await deliverPrivately(answer, because: "the room refused it: \(condition)") }
        }
        return {
            await withDiscardingTaskGroup { group in
                for item in rejoining + [next] { group.addTask(operation: item) }
            }
        }
    }

    /// Sends `answer` to its requester's own address, saying why it did not come through the room.
    func deliverPrivately(_ answer: RoomAnswer, because why: String) async {
        let text = "From the room \(settings.room), where I could not answer (\(why)):\n\(answer.body)"
        let metadata: Logger.Metadata = ["jid": "\(answer.requester)", "why": "\(why)"]
        if await send(ChatStanzas.answer(text, to: answer.requester, id: makeID())) {
            logger.notice("an answer for the fleet room went to its requester privately", metadata: metadata)
        } else {
            logger.error("an answer for the fleet room could not be sent anywhere: it is lost", metadata: metadata)
        }
    }
}
