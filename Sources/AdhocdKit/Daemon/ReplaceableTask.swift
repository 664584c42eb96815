import Synchronization

/// A part of the daemon that runs in a task of its own and that a reload may replace (the
/// D-Bus bridge, the health monitor): starting a new one cancels the one before.
final class ReplaceableTask: Sendable {
    private let current = Mutex<Task<Void, Never>?>(nil)

    func replace(with task: Task<Void, Never>?) {
        let old = current.withLock { current in
            defer { current = task }
            return current
        }
        old?.cancel()
    }

    func cancel() {
        replace(with: nil)
    }
}
