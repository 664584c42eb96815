import Synchronization

/// Counts running runs, per command and in all, so neither limit is passed.
final class RunSlots: Sendable {
    private struct State {
        var byNode: [String: Int] = [:]
        var total = 0
    }

    private let state = Mutex(State())

    enum Denial: Error, Equatable {
        case command(limit: Int)
        case overall(limit: Int)
    }

    /// Takes a slot, or says which limit is reached. Pair every success with `release`.
    func acquire(node: String, commandLimit: Int, overallLimit: Int) throws(Denial) {
        try state.withLock { state throws(Denial) in
            let running = state.byNode[node, default: 0]
            if running >= commandLimit { throw .command(limit: commandLimit) }
            if state.total >= overallLimit { throw .overall(limit: overallLimit) }
            state.byNode[node] = running + 1
            state.total += 1
        }
    }

    func release(node: String) {
        state.withLock { state in
            let running = state.byNode[node, default: 1] - 1
            state.byNode[node] = running > 0 ? running : nil
            state.total = max(0, state.total - 1)
        }
    }

    var total: Int { state.withLock { $0.total } }
}
