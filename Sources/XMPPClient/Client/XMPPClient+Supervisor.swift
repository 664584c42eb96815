import Logging
import NIOCore
import Synchronization
import XMPPCore

/// The supervisor: connect, let the session run, and reconnect by `ReconnectPolicy` until shutdown.
extension XMPPClient {
    /// How long a shutdown gives running commands (cancelled) to send their answers.
    static let shutdownGrace = Duration.seconds(2)

    /// Stays online until `shutdown()` or cancellation, reconnecting after every failure.
    public func run() async {
        var policy = ReconnectPolicy(
            backoff: configuration.backoff, authenticationBackoff: configuration.authenticationBackoff,
            stableSessionDuration: configuration.stableSessionDuration)
        var redirect: ConnectionTarget?
        while !isStopping, !Task.isCancelled {
            let (end, onlineFor) = await connectOnce(preferring: redirect)
            if isStopping || Task.isCancelled { break }
            let decision = policy.decide(after: end.error, redirect: end.redirect, resumable: end.resumable, onlineFor: onlineFor)
            redirect = decision.target
            report(end, next: decision)
            await sleepUnlessStopping(decision.delay)
        }
        if !isStopping { await requests.stop(grace: Self.shutdownGrace) }
        broadcaster.yield(.stopped)
        broadcaster.finish()
    }

    private func report(_ end: SessionEnd, next decision: ReconnectPolicy.Decision) {
        let metadata: Logger.Metadata = ["delay": "\(decision.delay.formattedSeconds)"]
        if end.error.isAuthenticationFailure {
            logger.error("login refused: \(end.error); trying again in \(decision.delay.formattedSeconds)")
        } else if case .streamError(let error) = end.error, error.condition == .conflict {
            // Another client took our resource. Coming straight back would only kick it in turn.
            logger.error("another session took resource '\(configuration.resource)' (is adhocd running twice with one account?)", metadata: metadata)
        } else if let target = decision.target {
            logger.notice("the server sent us to \(target)", metadata: metadata)
        } else {
            logger.warning("connection lost or failed: \(end)", metadata: metadata)
        }
        logger.info("reconnecting", metadata: metadata)
    }

    /// Leaves gracefully: running commands are cancelled and their answers sent, then
    /// unavailable presence, `</stream:stream>`, close; `run()` then returns.
    public func shutdown() async {
        let waiter = state.withLock { state in
            state.stopping = true
            defer { state.wakeSupervisor = nil }
            return state.wakeSupervisor
        }
        waiter?.resume()
        await requests.stop(grace: Self.shutdownGrace)
        if isOnline {
            logger.info("signing off")
            try? await send(Presence(.unavailable).element)
        }
        try? await driver.signOff().get()
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    func sleepUnlessStopping(_ delay: Duration) async {
        guard delay > .zero else { return }
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

    /// One connection, from the first target that answers to its end; how long it was online.
    private func connectOnce(preferring redirect: ConnectionTarget?) async -> (SessionEnd, Duration?) {
        var targets: [ConnectionTarget] = []
        if let redirect {
            targets.append(redirect)
        } else if let location = await driver.resumptionTarget(directTLS: configuration.tls == .directTLS) {
            // XEP-0198 `location`: where the server prefers us to resume; the usual targets follow.
            targets.append(location)
        }
        var failures: [String] = []
        do {
            targets += try await ConnectionTarget.candidates(
                domain: configuration.account.domain, host: configuration.host, port: configuration.port, tls: configuration.tls)
        } catch {
            failures.append("\(error)")
            if targets.isEmpty { return (SessionEnd(error: error, resumable: false, redirect: nil, wasOnline: false), nil) }
        }
        var tried: [ConnectionTarget] = []
        for target in targets where !tried.contains(target) {
            tried.append(target)
            if isStopping { break }
            do {
                logger.debug("connecting", metadata: ["server": "\(target)"])
                let end = try await driver.run(on: target, connectTimeout: configuration.connectTimeout)
                let onlineFor = state.withLock { state in
                    defer { state.onlineSince = nil }
                    return state.onlineSince.map { ContinuousClock.now - $0 }
                }
                return (end, onlineFor)
            } catch {
                failures.append("\(error)")
            }
        }
        let reason = isStopping ? ConnectionError.shuttingDown : .noTargetReachable(failures)
        return (SessionEnd(error: reason, resumable: false, redirect: nil, wasOnline: false), nil)
    }
}
