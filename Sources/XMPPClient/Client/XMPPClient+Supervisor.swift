import Logging
import NIOCore
import Synchronization
import XMPPCore

/// The supervisor: connect, negotiate, serve, and reconnect with backoff until shutdown.
extension XMPPClient {
    /// Stays online until `shutdown()` or cancellation, reconnecting after every failure.
    public func run() async {
        var backoff = configuration.backoff
        while !isStopping, !Task.isCancelled {
            let (onlineSince, failure) = await runOneSession()
            if isStopping || Task.isCancelled { break }
            if let onlineSince, ContinuousClock.now - onlineSince >= configuration.stableSessionDuration {
                backoff.reset()
            }
            var delay = backoff.nextDelay()
            if case .streamError(let error)? = failure as? ConnectionError, error.condition == .conflict {
                // Another client took our resource. Coming straight back would only kick it in
                // turn; wait the longest delay so two misconfigured daemons do not flap.
                logger.error("another session took resource '\(configuration.resource)' (is adhocd running twice with one account?)")
                delay = backoff.maximum
            }
            logger.info("reconnecting", metadata: ["delay": "\(delay.formattedSeconds)"])
            await sleepUnlessStopping(delay)
        }
        broadcaster.yield(.stopped)
        broadcaster.finish()
    }

    /// Leaves gracefully: unavailable presence, end of stream, close; `run()` then returns.
    public func shutdown() async {
        let (connection, waiter) = state.withLock { state in
            state.stopping = true
            defer { state.wakeSupervisor = nil }
            return (state.connection, state.wakeSupervisor)
        }
        waiter?.resume()
        guard let connection else { return }
        logger.info("signing off")
        try? await connection.send(Presence(.unavailable).element)
        try? await connection.send(.close)
        // Give the server a moment to close its side, then close ours regardless.
        connection.channel.eventLoop.scheduleTask(in: .seconds(2)) { connection.close() }
        try? await connection.channel.closeFuture.get()
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    func sleepUnlessStopping(_ delay: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.stopping { return true }
                        state.wakeSupervisor = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
            // Release the waiter if the timer won.
            state.withLock { $0.wakeSupervisor }?.resume()
            state.withLock { $0.wakeSupervisor = nil }
        }
    }

    /// One connection from connect to disconnect: when it went online, if it did, and why it ended.
    func runOneSession() async -> (onlineSince: ContinuousClock.Instant?, failure: (any Error)?) {
        var onlineSince: ContinuousClock.Instant?
        var failure: (any Error)?
        do {
            let connection = try await connect()
            defer { connection.close() }
            var events = connection.events.makeAsyncIterator()
            let negotiated = try await negotiate(connection, &events)
            // Published and checked in one step: shutdown() either sees this connection and
            // closes it, or has already begun and this session never starts.
            let stopping = state.withLock { state in
                guard !state.stopping else { return true }
                state.connection = connection
                state.boundJID = negotiated.boundJID
                state.session = SessionInfo(jid: negotiated.boundJID, mechanism: negotiated.mechanism.name, server: connection.target)
                return false
            }
            guard !stopping else {
                try? await connection.send(.close)
                return (nil, ConnectionError.shuttingDown)
            }
            onlineSince = .now
            logger.notice("connected", metadata: [
                "jid": "\(negotiated.boundJID)", "server": "\(connection.target)", "sasl": "\(negotiated.mechanism)",
            ])
            try await serve(connection, &events)
        } catch {
            failure = error
        }
        state.withLock { state in
            state.connection = nil
            state.boundJID = nil
            state.session = nil
        }
        pending.failAll(with: ConnectionError.notConnected)
        let reason = failure.map { "\($0)" } ?? "disconnected"
        if !isStopping {
            if let error = failure as? ConnectionError, error.isAuthenticationFailure {
                logger.error("login refused: \(reason)")
            } else {
                logger.warning("connection lost or failed: \(reason)")
            }
        }
        broadcaster.yield(.offline(reason: reason))
        return (onlineSince, failure)
    }

    func connect() async throws -> StreamConnection {
        let targets = await ConnectionTarget.candidates(
            domain: configuration.account.domain, host: configuration.host, port: configuration.port, tls: configuration.tls)
        var failures: [String] = []
        for target in targets {
            do {
                logger.debug("connecting", metadata: ["server": "\(target)"])
                return try await StreamConnection.connect(
                    to: target, tls: configuration.tlsSettings, serverName: configuration.account.domain,
                    limits: configuration.parserLimits, timeout: TimeAmount(configuration.connectTimeout), logger: logger)
            } catch {
                failures.append("\(error)")
            }
        }
        throw ConnectionError.noTargetReachable(failures)
    }

    func negotiate(_ connection: StreamConnection, _ events: inout StreamEvents) async throws -> NegotiatedStream {
        // Closing the channel at the deadline ends the event stream, which ends negotiation.
        let timedOut = Atomic<Bool>(false)
        let deadline = connection.channel.eventLoop.scheduleTask(in: TimeAmount(configuration.negotiationTimeout)) {
            timedOut.store(true, ordering: .relaxed)
            connection.close()
        }
        defer { deadline.cancel() }
        do {
            return try await StreamNegotiator(connection: connection, configuration: configuration, logger: logger).negotiate(&events)
        } catch let error as ConnectionError {
            if case .malformedStream(let parseError) = error {
                await sendStreamError(StreamError(parseError.condition, text: parseError.detail), on: connection)
            }
            throw timedOut.load(ordering: .relaxed) ? ConnectionError.negotiationTimedOut : error
        }
    }
}
