import Synchronization

/// A stage ran past its time limit.
struct TimeLimitExceeded: Error {}

/// Runs `body`, giving up after `limit`: then the body's task is cancelled and this throws
/// `TimeLimitExceeded` at once, even if the body is slow to notice the cancellation, so
/// the requester's answer never waits on a stuck command.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let race = FirstAnswer(continuation)
        let work = Task {
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            if race.finish(result) { race.cancelTimer() }
        }
        race.setTimer(Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            if race.finish(.failure(TimeLimitExceeded())) { work.cancel() }
        })
    }
}

/// Resumes a continuation once, with whichever of the work and the timer finishes first.
private final class FirstAnswer<T: Sendable>: Sendable {
    private struct State {
        var done = false
        var timer: Task<Void, Never>?
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

    func setTimer(_ timer: Task<Void, Never>) {
        let alreadyDone = state.withLock { state in
            state.timer = timer
            return state.done
        }
        if alreadyDone { timer.cancel() }
    }

    func cancelTimer() {
        state.withLock { $0.timer }?.cancel()
    }
}
