import Synchronization

/// Where request handlers run: tasks of the client's lifetime, not of a connection, so a lost
/// connection no longer cancels a running command. Only `stop` (shutdown) cancels them; a
/// stage's own time limit and the requester's cancel are the command layer's.
///
/// It counts the runs in flight: at `limit` it asks to stop reading from the server, and at
/// half of it to read again (backpressure instead of an unbounded queue).
final class RequestScope: Sendable {
    private struct State {
        var tasks: [Int: Task<Void, Never>] = [:]
        var nextID = 0
        var stopped = false
        var paused = false
    }

    private let state = Mutex(State())
    private let limit: Int
    private let onPressure: @Sendable (_ pauseReading: Bool) -> Void

    init(limit: Int, onPressure: @escaping @Sendable (_ pauseReading: Bool) -> Void) {
        self.limit = max(limit, 2)
        self.onPressure = onPressure
    }

    var runningCount: Int { state.withLock { $0.tasks.count } }

    /// Runs `work` in a task of the client's lifetime; false (and nothing runs) once stopped.
    @discardableResult
    func spawn(_ work: @escaping @Sendable () async -> Void) -> Bool {
        let pause = state.withLock { state -> Bool? in
            guard !state.stopped else { return nil }
            let id = state.nextID
            state.nextID += 1
            // Created under the lock: the task's own removal waits for the insertion.
            state.tasks[id] = Task {
                await work()
                self.finished(id)
            }
            guard state.tasks.count >= limit, !state.paused else { return false }
            state.paused = true
            return true
        }
        if pause == true { onPressure(true) }
        return pause != nil
    }

    private func finished(_ id: Int) {
        let resume = state.withLock { state -> Bool in
            state.tasks[id] = nil
            guard state.paused, state.tasks.count <= limit / 2 else { return false }
            state.paused = false
            return true
        }
        if resume { onPressure(false) }
    }

    /// Takes no more work, cancels what runs, and waits up to `grace` for it to finish (a
    /// cancelled command answers at once, and its answer should still go out).
    func stop(grace: Duration) async {
        let running = state.withLock { state in
            state.stopped = true
            return Array(state.tasks.values)
        }
        for task in running { task.cancel() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for task in running { await task.value }
            }
            group.addTask { try? await Task.sleep(for: grace) }
            await group.next()
            group.cancelAll()
        }
    }
}
