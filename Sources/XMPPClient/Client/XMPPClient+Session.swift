import Logging
import NIOCore
import Synchronization
import XMPPCore

/// One online session: reading stanzas, answering requests, roster and presence at login,
/// keepalive pings.
extension XMPPClient {
    /// Reads stanzas until the connection ends; meanwhile fetches the roster, announces
    /// presence and keeps the connection alive.
    func serve(_ connection: StreamConnection, _ events: inout StreamEvents) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.startSession(connection) }
            defer { group.cancelAll() }
            while true {
                let event: StreamEvent?
                do {
                    event = try await events.next()
                } catch where Task.isCancelled {
                    // A session task failed (keepalive timeout) and cancelled the group: its
                    // error is the reason, rethrown by the group.
                    return
                } catch {
                    let failure = ConnectionError(transportError: error)
                    if case .malformedStream(let parseError) = failure {
                        await sendStreamError(StreamError(parseError.condition, text: parseError.detail), on: connection)
                    }
                    throw failure
                }
                switch event {
                case .element(let element):
                    try handle(element, on: connection, group: &group)
                case .skipped(let skipped):
                    answer(skipped, on: connection)
                case .closed:
                    if !isStopping { try? await connection.send(.close) }
                    throw ConnectionError.streamClosed
                case .opened:
                    await sendStreamError(StreamError(.badFormat, text: "unexpected stream header"), on: connection)
                    throw ConnectionError.unexpectedElement("stream:stream")
                case nil:
                    if Task.isCancelled { return }
                    throw connection.failureReason ?? ConnectionError.streamClosed
                }
            }
        }
    }

    func handle(_ element: XMLElement, on connection: StreamConnection, group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        guard element.namespace == StreamNamespace.client else {
            if element.name == "error", element.namespace == StreamNamespace.stream {
                throw ConnectionError.streamError(StreamError(element: element))
            }
            logger.debug("ignoring a top-level element", metadata: ["element": "\(element.name)", "namespace": "\(element.namespace)"])
            return
        }
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
            let requester = sender ?? configuration.account
            if iq.kind == .set, let payload = iq.payload, payload.namespace == Roster.namespace {
                applyRosterPush(iq, payload: payload, from: sender, on: connection)
                return
            }
            switch router.route(iq, sender: requester) {
            case .answer(let answer):
                if let answer { write(answer, on: connection) } else {
                    logger.warning("cannot answer a request without an id", metadata: ["from": "\(requester)"])
                }
            case .run(let handler, let request):
                group.addTask { self.write(await self.router.run(handler, request), on: connection) }
            }
        case "presence":
            let presence = Presence(element: element)
            if let sender, let kind = presence.kind, kind.isSubscriptionChange {
                group.addTask { await self.handleSubscriptionChange(kind, from: sender) }
            }
            broadcaster.yield(.presence(presence))
        case "message":
            broadcaster.yield(.message(Message(element: element)))
        default:
            logger.debug("ignoring an unknown stanza", metadata: ["element": "\(element.name)"])
        }
    }

    /// The answer goes out on the connection the request came in on. Not waiting for the write
    /// saves a suspension per request; a failed write means the connection is gone, which the
    /// read loop reports.
    func write(_ answer: IQ, on connection: StreamConnection) {
        connection.channel.writeAndFlush(StreamOutput.element(answer.element)).whenFailure { [logger] error in
            logger.debug("could not send an answer", metadata: ["id": "\(answer.id ?? "")", "error": "\(error)"])
        }
    }

    /// Roster pushes are applied here, where the stream is read: a request read after a push
    /// is decided on the roster the push left.
    func applyRosterPush(_ iq: IQ, payload: XMLElement, from sender: JID?, on connection: StreamConnection) {
        switch roster.applyPush(payload, from: sender, account: configuration.account) {
        case .success(let item):
            write(iq.result(), on: connection)
            broadcaster.yield(.rosterChanged(item))
        case .failure(let error):
            logger.notice("refused a roster push", metadata: ["from": "\(sender?.description ?? "")", "error": "\(error)"])
            write(iq.error(error), on: connection)
        }
    }

    /// A stanza the parser read past for breaking a limit: a request gets a small error, the
    /// rest is dropped; one log line per sender and minute says so.
    func answer(_ skipped: SkippedStanza, on connection: StreamConnection) {
        let answer = SkippedStanzaAnswer.answer(to: skipped)
        if let suppressed = skippedLog.admit(skipped.from ?? "the server") {
            logger.warning(answer == nil ? "dropped a stanza over the limits" : "refused a request over the limits", metadata: [
                "from": "\(skipped.from ?? "the server")", "stanza": "\(skipped.name)", "reason": "\(skipped.reason)",
                "suppressed": "\(suppressed)",
            ])
        }
        guard let answer else { return }
        connection.channel.writeAndFlush(StreamOutput.element(answer), promise: nil)
    }

    func startSession(_ connection: StreamConnection) async throws {
        do {
            try await loadRoster()
            try await connection.send(currentPresence())
        } catch {
            if Task.isCancelled { return }
            logger.warning("session setup failed, reconnecting", metadata: ["error": "\(error)"])
            connection.close()
            throw error
        }
        if let session = state.withLock({ $0.session }) { broadcaster.yield(.online(session)) }
        try await keepAlive(connection)
    }

    /// Fetches the roster of a new session. It is applied where its answer is read, so a push
    /// that follows it in the stream is applied after it, never overwritten by it.
    func loadRoster() async throws {
        roster.markStale()
        let request = IQ(.get, id: makeStanzaID(), payload: XMLElement("query", namespace: Roster.namespace))
        let count: Int = try await withCheckedThrowingContinuation { continuation in
            send(request: request, timeout: nil) { [roster] answer in
                continuation.resume(with: answer.map { iq in
                    let items = iq.payload.map(Roster.items(in:)) ?? []
                    roster.load(items)
                    return items.count
                })
            }
        }
        logger.debug("roster fetched", metadata: ["contacts": "\(count)"])
    }

    /// Pings the server every keepalive interval; no answer within the ping timeout means the
    /// connection is dead: it is closed and the session ends with `pingTimedOut` at once,
    /// without waiting for TCP or TLS to notice.
    func keepAlive(_ connection: StreamConnection) async throws {
        let ping = XMLElement("ping", namespace: "urn:xmpp:ping")
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.keepaliveInterval)
            } catch {
                return
            }
            do {
                let server = try JID(domain: configuration.account.domain)
                _ = try await request(IQ(.get, id: makeStanzaID(), to: server, payload: ping), timeout: configuration.pingTimeout)
            } catch is StanzaError {
                continue  // An error answer still proves the connection is alive.
            } catch ConnectionError.requestTimedOut {
                logger.warning("keepalive ping timed out, reconnecting", metadata: ["timeout": "\(configuration.pingTimeout.formattedSeconds)"])
                connection.close(because: .pingTimedOut)
                throw ConnectionError.pingTimedOut
            } catch {
                return
            }
        }
    }

    func sendStreamError(_ error: StreamError, on connection: StreamConnection) async {
        logger.warning("closing the stream with an error", metadata: ["condition": "\(error.condition.rawValue)", "detail": "\(error.text ?? "")"])
        try? await connection.send(error.element)
        try? await connection.send(.close)
    }
}
