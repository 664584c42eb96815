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
            group.addTask {
                guard let answer = await self.router.answer(iq, sender: requester) else {
                    self.logger.warning("cannot answer a request without an id", metadata: ["from": "\(requester)"])
                    return
                }
                // The answer goes out on the connection the request came in on. Not waiting for
                // the write saves a suspension per request; a failed write means the
                // connection is gone, which the read loop reports.
                connection.channel.writeAndFlush(StreamOutput.element(answer.element)).whenFailure { [logger = self.logger] error in
                    logger.debug("could not send an answer", metadata: ["id": "\(iq.id ?? "")", "error": "\(error)"])
                }
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
            let answer = try await request(IQ(.get, id: makeStanzaID(), payload: XMLElement("query", namespace: Roster.namespace)))
            let items = answer.payload.map(Roster.items(in:)) ?? []
            roster.replaceAll(with: items)
            logger.debug("roster fetched", metadata: ["contacts": "\(items.count)"])
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
