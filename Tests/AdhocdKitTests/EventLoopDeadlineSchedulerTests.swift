import Commands
import NIOPosix
import Synchronization
import Testing
@testable import AdhocdKit

/// Stage time limits as callbacks on the event loop.
@Suite struct EventLoopDeadlineSchedulerTests {
    final class Firings: Sendable {
        private let count = Mutex(0)
        func fire() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    let scheduler = EventLoopDeadlineScheduler(eventLoop: MultiThreadedEventLoopGroup.singleton.any())

    @Test func aDeadlineFiresOnceAfterItsDelay() async throws {
        let firings = Firings()
        let clock = ContinuousClock()
        let start = clock.now
        let fired = AsyncStream<ContinuousClock.Instant>.makeStream()
        _ = scheduler.schedule(after: .milliseconds(50)) {
            firings.fire()
            fired.continuation.yield(clock.now)
        }
        var iterator = fired.stream.makeAsyncIterator()
        let when = try #require(await iterator.next())
        #expect(when - start >= .milliseconds(50))
        try await Task.sleep(for: .milliseconds(100))
        #expect(firings.value == 1)
    }

    @Test func aCancelledDeadlineNeverFires() async throws {
        let firings = Firings()
        let deadline = scheduler.schedule(after: .milliseconds(30)) { firings.fire() }
        deadline.cancel()
        // Cancelling twice, or after the fact, is harmless.
        deadline.cancel()
        try await Task.sleep(for: .milliseconds(120))
        #expect(firings.value == 0)
    }
}
