import Foundation

/// Runs blocking work (waiting for a child process, a polling loop) on a thread of its own.
///
/// Tests run in parallel on Swift concurrency's few threads (one per core): a test that blocks
/// one of them while a server starts stalls every other test's timers and tasks, and timing
/// assertions elsewhere fail on a busy machine. Everything in TestSupport that waits goes here.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
