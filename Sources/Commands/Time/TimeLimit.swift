import Synchronization

/// A stage ran past its time limit.
struct TimeLimitExceeded: Error {}

/// Runs `body`, giving up after `limit`: then the body's task is cancelled and this throws
/// `TimeLimitExceeded` at once, even if the body is slow to notice the cancellation, so
/// the requester's answer never waits on a stuck command. Cancelling the caller (a lost
/// connection, shutdown) cancels the body too and throws `CancellationError` at once: the
/// body runs in a task of its own, which would not hear of it otherwise.
func withTimeLimit<T: Sendable>(
    _ limit: Duration, scheduler: any DeadlineScheduler, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let relay = CancellationRelay()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            let race = FirstAnswer(continuation)
            let work = Task {
                let result: Result<T, any Error>
                do {
                    result = .success(try await body())
                } catch {
                    result = .failure(error)
                }
                if race.finish(result) { race.cancelDeadline() }
            }
            race.setDeadline(scheduler.schedule(after: limit) {
                if race.finish(.failure(TimeLimitExceeded())) { work.cancel() }
            })
            relay.arm {
                if race.finish(.failure(CancellationError())) {
                    race.cancelDeadline()
                    work.cancel()
                }
            }
        }
    } onCancel: {
        relay.fire()
    }
}

/// Carries a cancellation that may come before the action to run for it is known.
private final class CancellationRelay: Sendable {
    private struct State {
        var fired = false
        var action: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func arm(_ action: @escaping @Sendable () -> Void) {
        let firedAlready = state.withLock { state in
            if !state.fired { state.action = action }
            return state.fired
        }
        if firedAlready { action() }
    }

    func fire() {
        let action = state.withLock { state in
            state.fired = true
            defer { state.action = nil }
            return state.action
        }
        action?()
    }
}

/// Resumes a continuation once, with whichever of the work and the deadline comes first.
private final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var done = false
        var deadline: (any ScheduledDeadline)?
    }

    private let state = Mutex(State())
    private let continuation: CheckedContinuation<T, any Error>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = continuation
    }

    /// True for the first caller, whose result is delivered.
    func finish(_ result: Result<T, any Error>) -> Bool {
        let first = state.withLock { state in
            defer { state.done = true }
            return !state.done
        }
        if first { continuation.resume(with: result) }
        return first
    }

    func setDeadline(_ deadline: any ScheduledDeadline) {
        let alreadyDone = state.withLock { state in
            state.deadline = deadline
            return state.done
        }
        if alreadyDone { deadline.cancel() }
    }

    func cancelDeadline() {
        state.withLock { $0.deadline }?.cancel()
    }
}
