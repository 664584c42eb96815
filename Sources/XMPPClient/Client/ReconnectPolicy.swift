/// When and where to connect again after a connection ended: pure, so every rule is tested
/// without a server.
///
/// - A session that stayed up `stableSessionDuration` resets the delays.
/// - A refused login is retried with its own long backoff (minutes to an hour), never every
///   minute forever: a wrong password does not fix itself.
/// - `see-other-host` is followed at once, a few times in a row at most.
/// - `conflict` (another client took our resource) waits the longest delay, so two daemons on
///   one account do not kick each other in a loop.
/// - A lost connection whose session can be resumed is retried at once when it had been up a
///   while, else after the initial delay: resumption works only while the server keeps the
///   session, and a flaky link must not push the delay to minutes.
/// - Anything else: exponential backoff with jitter.
struct ReconnectPolicy: Sendable {
    struct Decision: Sendable, Equatable {
        var delay: Duration
        /// Connect here first (a redirect).
        var target: ConnectionTarget?
    }

    static let maximumRedirects = 3
    /// A resumable connection that lasted at least this long is retried without delay.
    static let immediateRetryAfter = Duration.seconds(1)

    var backoff: Backoff
    var authenticationBackoff: Backoff
    let stableSessionDuration: Duration
    private var redirectsInARow = 0

    init(backoff: Backoff, authenticationBackoff: Backoff, stableSessionDuration: Duration) {
        self.backoff = backoff
        self.authenticationBackoff = authenticationBackoff
        self.stableSessionDuration = stableSessionDuration
    }

    /// `onlineFor` is how long the session was up, nil if it never came up.
    mutating func decide(
        after error: ConnectionError, redirect: ConnectionTarget? = nil, resumable: Bool = false, onlineFor: Duration? = nil,
        jitter: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) -> Decision {
        if let onlineFor {
            authenticationBackoff.reset()
            if onlineFor >= stableSessionDuration { backoff.reset() }
        }
        if let redirect, redirectsInARow < Self.maximumRedirects {
            redirectsInARow += 1
            return Decision(delay: .zero, target: redirect)
        }
        redirectsInARow = 0
        if error.isAuthenticationFailure {
            return Decision(delay: authenticationBackoff.nextDelay(jitter: jitter))
        }
        switch error {
        case .streamError(let streamError) where streamError.condition == .conflict:
            return Decision(delay: backoff.maximum)
        case .serviceNotOffered:
            return Decision(delay: backoff.maximum)
        default:
            if resumable, let onlineFor {
                // Resuming is cheap for the server (no roster, no presence broadcast) and works
                // only while it keeps the session: come back soon, without letting a flaky link
                // push the delay up to minutes.
                if onlineFor >= Self.immediateRetryAfter { return Decision(delay: .zero) }
                return Decision(delay: backoff.initial * jitter(0.5...1.0))
            }
            return Decision(delay: backoff.nextDelay(jitter: jitter))
        }
    }
}
