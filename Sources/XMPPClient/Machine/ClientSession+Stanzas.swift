import NIOCore
import XMPPCore

/// Stanzas both ways on an established stream: counting and acknowledging them (XEP-0198),
/// holding them to the stream's budget, keeping the connection proven alive.
extension ClientSession {
    // MARK: Inbound

    /// `counted`: false for a stanza that precedes the server's `<enabled/>`.
    mutating func receiveOnline(_ element: XMLElement, counted: Bool = true) {
        if element.namespace == StreamManagement.namespace {
            switch element.name {
            case "r":
                // Answered with the next stanza we write, or after a few milliseconds: one
                // write instead of two, since servers ask after every stanza they send.
                if management.isCounting, !ackReplyPending {
                    ackReplyPending = true
                    schedule(.ackReply, after: settings.ackReplyDelay)
                }
            case "a":
                acknowledge(element)
            default:
                break
            }
            return
        }
        guard Self.isStanza(name: element.name, namespace: element.namespace) else { return }
        if counted { management.countInbound() }
        if let id = keepalivePingID, element.name == "iq", element[attribute: "id"] == id, isFromOurServer(element) {
            keepalivePingID = nil
            cancel(.ackTimeout)
            return
        }
        emit(.deliver(element))
    }

    private func isFromOurServer(_ element: XMLElement) -> Bool {
        guard let from = element[attribute: "from"] else { return true }
        return from == settings.account.domain || from == settings.account.description
    }

    mutating func acknowledge(_ element: XMLElement) {
        guard management.isCounting else { return }
        guard let handled = StreamManagement.readCount(element) else {
            return endWithStreamError(StreamError(.invalidXML), because: .protocolViolation("an <a/> without a valid 'h'"))
        }
        guard confirm(upTo: handled) else { return }
        management.awaitingAck = false
        cancel(.ackTimeout)
        flush()
    }

    /// Applies the server's count; false when it claims more than we sent, which ends the
    /// stream (XEP-0198 §4: `undefined-condition` with `handled-count-too-high`).
    mutating func confirm(upTo handled: UInt32) -> Bool {
        do {
            try confirmAcknowledged(upTo: handled)
            return true
        } catch {
            let sent = management.sent
            emit(.write("<stream:error><undefined-condition xmlns='\(StreamNamespace.streamErrors)'/>"
                + "<handled-count-too-high xmlns='\(StreamManagement.namespace)' h='\(handled)' send-count='\(sent)'/></stream:error>"))
            emit(.write(StreamHeader.closing))
            management.resumption = nil
            end(.protocolViolation("the server acknowledged \(handled) stanzas, but we sent \(sent)"))
            return false
        }
    }

    mutating func confirmAcknowledged(upTo handled: UInt32) throws(StreamManagement.AckError) {
        for entry in try management.acknowledge(upTo: handled) {
            if let answer = entry.stanza.answer {
                emit(.report(AnswerDelivery(answer: answer, outcome: outcome(of: answer, writtenOn: entry.writtenOn), acknowledged: true)))
            }
        }
    }

    // MARK: Outbound

    var hasRoomUnacknowledged: Bool {
        !management.isCounting || management.unacknowledged.count < settings.maximumUnacknowledged
    }

    /// Writes what waits in the outbox, as far as the stream and its unacknowledged window allow.
    mutating func flush() {
        while phase == .online, hasRoomUnacknowledged, let next = outbox.popFirst() {
            _ = writeStanza(next)
        }
        if phase == .online, !hasRoomUnacknowledged, !management.awaitingAck { requestAck() }
    }

    /// Writes one stanza within the stream's budget; false when it had to be dropped.
    @discardableResult
    mutating func writeStanza(_ stanza: OutgoingStanza) -> Bool {
        var stanza = stanza
        var text = stanza.element.serialized(inheritedNamespace: StreamNamespace.client)
        switch budget.verdict(for: stanza.element, size: text.utf8.count) {
        case .fits:
            break
        case .replace(let replacement):
            emit(.discarded("\(stanza.summary) of \(text.utf8.count) bytes is over this stream's limit of \(budget.maximumBytes) bytes: a small error answer goes instead"))
            stanza.element = replacement
            text = replacement.serialized(inheritedNamespace: StreamNamespace.client)
        case .drop(let reason):
            drop(stanza, because: reason)
            return false
        }
        emit(.write(text))
        if management.isCounting {
            management.recordWritten(stanza, on: epoch)
            if ackReplyPending { replyToAckRequest() }
            requestAckSoon()
        } else if let answer = stanza.answer {
            emit(.report(AnswerDelivery(answer: answer, outcome: outcome(of: answer, writtenOn: epoch), acknowledged: false)))
        }
        return true
    }

    func outcome(of answer: AnswerTracking, writtenOn: StreamEpoch) -> AnswerDelivery.Outcome {
        if writtenOn.session != answer.receivedOn.session { return .onNewStream }
        return writtenOn.connection == answer.receivedOn.connection ? .live : .afterResumption
    }

    /// A stanza that will never be sent: reported if it answers a request, else logged.
    mutating func drop(_ stanza: OutgoingStanza, because reason: String) {
        if let answer = stanza.answer {
            emit(.report(AnswerDelivery(answer: answer, outcome: .dropped(reason: reason), acknowledged: false)))
        } else {
            emit(.discarded("\(stanza.summary): \(reason)"))
        }
    }

    /// Answers that waited for a connection longer than anyone waits for them are dropped.
    mutating func dropExpiredAnswers() {
        let kept = outbox.filter { now - $0.queuedAt <= settings.answerLifetime }
        guard kept.count != outbox.count else { return }
        for stanza in outbox where now - stanza.queuedAt > settings.answerLifetime {
            drop(stanza, because: "it waited longer than \(settings.answerLifetime.formattedSeconds) for a connection")
        }
        outbox = CircularBuffer(kept)
    }

    // MARK: Acks and keepalive

    /// Answers the server's pending ack request with everything handled so far.
    mutating func replyToAckRequest() {
        ackReplyPending = false
        cancel(.ackReply)
        write(management.ackElement)
    }

    /// A burst gets one ack request: at once when it is large, else after a short delay.
    private mutating func requestAckSoon() {
        guard !management.awaitingAck else { return }
        if management.unacknowledged.count >= settings.ackBurst {
            requestAck()
        } else if !ackRequestPending {
            ackRequestPending = true
            schedule(.ackRequest, after: settings.ackDelay)
        }
    }

    mutating func requestAck() {
        if ackRequestPending {
            ackRequestPending = false
            cancel(.ackRequest)
        }
        write(StreamManagement.element("r"))
        management.awaitingAck = true
        schedule(.ackTimeout, after: settings.pingTimeout)
    }

    /// Proves the connection alive: an ack request under stream management, else a XEP-0199
    /// ping to the server. Either unanswered within the ping timeout ends the connection.
    mutating func sendKeepalive() {
        if management.isCounting {
            if !management.awaitingAck { requestAck() }
            return
        }
        guard keepalivePingID == nil else { return }
        keepaliveCount += 1
        let id = "keepalive-\(keepaliveCount)"
        let ping = IQ(.get, id: id, to: try? JID(domain: settings.account.domain), payload: XMLElement("ping", namespace: "urn:xmpp:ping"))
        write(ping.element)
        keepalivePingID = id
        schedule(.ackTimeout, after: settings.pingTimeout)
    }
}
