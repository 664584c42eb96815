import Logging
import XMPPCore

/// What the session driver reports, handled where the stream is read (on the driver's event
/// loop, in stream order): answers resolve waiting requests, roster pushes apply, requests are
/// routed, and anything slow starts a task of the client's lifetime.
extension XMPPClient {
    func handle(_ notice: SessionNotice) {
        switch notice {
        case .established(let establishment, _, let server):
            established(establishment, server: server)
        case .stanza(let element, let epoch):
            receive(element, epoch: epoch)
        case .skipped(let skipped, let epoch):
            answer(skipped, epoch: epoch)
        case .delivery(let report):
            // Answers to the server or our own account (roster pushes, server pings) are routine.
            let routine = report.answer.requester.localpart == nil || report.answer.requester.bare == configuration.account
            logger.log(level: routine ? .debug : .info, "answer delivered \(report.outcome)", metadata: [
                "to": "\(report.answer.requester)", "id": "\(report.answer.requestID)", "namespace": "\(report.answer.namespace)",
                "acknowledged": "\(report.acknowledged)",
            ])
            broadcaster.yield(.answerDelivered(report))
        case .discarded(let note):
            logger.warning("dropped an outgoing stanza: \(note)")
        case .ended(let end):
            state.withLock { $0.boundJID = nil }
            // Requests of ours may still be answered on a resumed stream; else they never will.
            if !end.resumable {
                pending.failAll(with: ConnectionError.notConnected)
                dropMessagesAwaitingRoster()
            }
            broadcaster.yield(.offline(reason: end.description))
        }
    }

    private func established(_ establishment: Establishment, server: ConnectionTarget) {
        switch establishment {
        case .newSession(let jid, let mechanism, let streamManagement):
            // Until its roster arrives, permissions must not be decided on the last session's.
            roster.markStale()
            pending.failAll(with: ConnectionError.notConnected)
            let session = SessionInfo(jid: jid, mechanism: mechanism, server: server, streamManagement: streamManagement, resumed: false)
            state.withLock { state in
                state.boundJID = jid
                state.session = session
                state.onlineSince = .now
            }
            logger.notice("connected", metadata: [
                "jid": "\(jid)", "server": "\(server)", "sasl": "\(mechanism)", "stream_management": "\(streamManagement)",
            ])
            requests.spawn { await self.startSession(session) }
        case .resumed(let jid, let mechanism):
            let session = SessionInfo(jid: jid, mechanism: mechanism, server: server, streamManagement: true, resumed: true)
            state.withLock { state in
                state.boundJID = jid
                state.session = session
                state.onlineSince = .now
            }
            logger.notice("resumed the session", metadata: ["jid": "\(jid)", "server": "\(server)"])
            broadcaster.yield(.online(session))
        }
    }

    /// A new session: the roster, then our presence; online once both are done.
    private func startSession(_ session: SessionInfo) async {
        do {
            try await loadRoster()
            try await send(currentPresence())
        } catch {
            logger.warning("session setup failed, reconnecting", metadata: ["error": "\(error)"])
            driver.closeConnection(because: "session setup failed: \(error)")
            return
        }
        broadcaster.yield(.online(session))
    }

    /// Fetches the roster of a new session. It is applied where its answer is read, so a push
    /// that follows it in the stream is applied after it, never overwritten by it.
    func loadRoster() async throws {
        let request = IQ(.get, id: makeStanzaID(), payload: XMLElement("query", namespace: Roster.namespace))
        let count: Int = try await withCheckedThrowingContinuation { continuation in
            send(request: request, timeout: nil) { [self] answer in
                continuation.resume(with: answer.map { iq in
                    let items = iq.payload.map(Roster.items(in:)) ?? []
                    applyLoadedRoster(items)
                    return items.count
                })
            }
        }
        logger.info("roster fetched", metadata: ["contacts": "\(count)"])
    }

    // MARK: Stanzas

    private func receive(_ element: XMLElement, epoch: StreamEpoch) {
        // A stanza without `from` comes from the server on behalf of our account.
        let rawFrom = element[attribute: "from"]
        let sender: JID?
        if let rawFrom {
            guard let parsed = try? JID(rawFrom) else {
                logger.warning("dropping a stanza with an invalid from", metadata: ["element": "\(element.name)"])
                return
            }
            sender = parsed
        } else {
            sender = nil
        }
        switch element.name {
        case "iq":
            let iq = IQ(element: element)
            if iq.kind == .result || iq.kind == .error {
                if !pending.resolve(iq, from: sender) {
                    logger.debug("ignoring an unexpected answer", metadata: ["id": "\(iq.id ?? "")", "from": "\(rawFrom ?? "")"])
                }
                return
            }
            receive(request: iq, from: sender, epoch: epoch)
        case "presence":
            let presence = Presence(element: element)
            if let sender, let kind = presence.kind, kind.isSubscriptionChange {
                requests.spawn { await self.handleSubscriptionChange(kind, from: sender) }
            }
            broadcaster.yield(.presence(presence))
        case "message":
            handOn(Message(element: element))
        default:
            break
        }
    }

    private func receive(request iq: IQ, from sender: JID?, epoch: StreamEpoch) {
        let requester = sender ?? configuration.account
        let payload = iq.payload
        let tracking = AnswerTracking(
            requester: requester, requestID: iq.id ?? "", namespace: payload?.namespace ?? "", receivedOn: epoch)
        if iq.kind == .set, let payload, payload.namespace == Roster.namespace {
            applyRosterPush(iq, payload: payload, from: sender, tracking: tracking)
            return
        }
        switch router.route(iq, sender: requester) {
        case .answer(let answer):
            if let answer { deliver(answer, tracking: tracking) } else {
                logger.warning("cannot answer a request without an id", metadata: ["from": "\(requester)"])
            }
        case .run(let handler, let request):
            let key = RecentAnswers.Key(sender: requester, id: tracking.requestID)
            switch recentAnswers.begin(key, payload: request.payload) {
            case .start(let ticket):
                requests.spawn {
                    let answer = await self.router.run(handler, request)
                    self.recentAnswers.finish(ticket, answer: answer.element)
                    self.deliver(answer, tracking: tracking)
                }
            case .running:
                logger.info("a repeated request joins the run still going", metadata: ["from": "\(requester)", "id": "\(tracking.requestID)"])
            case .answered(let answer):
                logger.info("a repeated request is answered again, not run again", metadata: ["from": "\(requester)", "id": "\(tracking.requestID)"])
                deliver(IQ(element: answer), tracking: tracking)
            }
        }
    }

    /// Sends an answer on whatever stream carries the session now: the one the request came
    /// on, a resumed one, or a new one (it is addressed to the requester's full JID).
    func deliver(_ answer: IQ, tracking: AnswerTracking) {
        driver.send(answer.element, answering: tracking) { [logger] error in
            logger.warning("an answer could not be sent", metadata: [
                "to": "\(tracking.requester)", "id": "\(tracking.requestID)", "error": "\(error)",
            ])
        }
    }

    /// Roster pushes are applied here, where the stream is read: a request read after a push
    /// is decided on the roster the push left.
    private func applyRosterPush(_ iq: IQ, payload: XMLElement, from sender: JID?, tracking: AnswerTracking) {
        switch roster.applyPush(payload, from: sender, account: configuration.account) {
        case .success(let item):
            deliver(iq.result(), tracking: tracking)
            broadcaster.yield(.rosterChanged(item))
        case .failure(let error):
            logger.notice("refused a roster push", metadata: ["from": "\(sender?.description ?? "")", "error": "\(error)"])
            deliver(iq.error(error), tracking: tracking)
        }
    }

    /// A stanza the parser read past for breaking a limit: a request gets a small error, the
    /// rest is dropped; one log line per sender and minute says so.
    private func answer(_ skipped: SkippedStanza, epoch: StreamEpoch) {
        let answer = SkippedStanzaAnswer.answer(to: skipped)
        if let suppressed = skippedLog.admit(skipped.from ?? "the server") {
            logger.warning(answer == nil ? "dropped a stanza over the limits" : "refused a request over the limits", metadata: [
                "from": "\(skipped.from ?? "the server")", "stanza": "\(skipped.name)", "reason": "\(skipped.reason)",
                "suppressed": "\(suppressed)",
            ])
        }
        guard let answer else { return }
        let requester = skipped.from.flatMap { try? JID($0) } ?? configuration.account
        deliver(IQ(element: answer), tracking: AnswerTracking(requester: requester, requestID: skipped.id ?? "", namespace: "", receivedOn: epoch))
    }
}
