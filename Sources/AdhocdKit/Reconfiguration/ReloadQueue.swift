import ServiceLifecycle
import Synchronization
import TOMLConfig

/// Reload requests (SIGHUP, the `reload` command) applied one at a time, in order.
///
/// Requests that arrive while a reload runs wait for the next one, and share it: each is
/// answered by a reload that began after it was made, so every requester sees its file
/// applied, and a burst of signals costs one more reload, not one each.
final class ReloadQueue: Sendable {
    typealias Outcome = Result<String, ReloadError>

    private struct State {
        var waiting: [CheckedContinuation<Outcome, Never>?] = []
        /// Wakes the consumer when a request arrives.
        var wake: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    init() {}

    /// Asks for a reload and waits for its summary.
    func request() async -> Outcome {
        await withCheckedContinuation { continuation in
            enqueue(continuation)
        }
    }

    /// Asks for a reload without waiting (SIGHUP): its outcome is only logged.
    func requestInBackground() {
        enqueue(nil)
    }

    private func enqueue(_ continuation: CheckedContinuation<Outcome, Never>?) {
        let (wake, refused) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            guard !state.closed else { return (nil, true) }
            state.waiting.append(continuation)
            defer { state.wake = nil }
            return (state.wake, false)
        }
        if refused { continuation?.resume(returning: .failure(.shuttingDown)) }
        wake?.resume()
    }

    /// Answers requests with `reload` until graceful shutdown; requests still waiting then,
    /// and any made later, are refused. `reload` never runs twice at once.
    func serve(_ reload: @escaping @Sendable () async -> Outcome) async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.waitForRequests()
                let batch = self.state.withLock { state in
                    defer { state.waiting.removeAll() }
                    return state.waiting
                }
                guard !batch.isEmpty else { continue }
                let outcome = await reload()
                for continuation in batch { continuation?.resume(returning: outcome) }
            }
        }
        let left = state.withLock { state in
            state.closed = true
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in left { continuation?.resume(returning: .failure(.shuttingDown)) }
    }

    private func waitForRequests() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if !state.waiting.isEmpty || state.closed || Task.isCancelled { return true }
                    state.wake = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let wake = state.withLock { state in
                defer { state.wake = nil }
                return state.wake
            }
            wake?.resume()
        }
    }
}

/// Why a reload changed nothing.
enum ReloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is unreadable or invalid: the previous configuration stays in force.
    case configuration(ConfigurationError)
    case shuttingDown

    var description: String {
        switch self {
        case .configuration(let error): "\(error)"
        case .shuttingDown: "adhocd is shutting down"
        }
    }
}

/// The reload queue's consumer in the service group.
struct ReloadService: Service {
    let queue: ReloadQueue
    let reload: @Sendable () async -> ReloadQueue.Outcome

    func run() async throws {
        await queue.serve(reload)
    }
}
