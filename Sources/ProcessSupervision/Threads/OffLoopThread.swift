#if canImport(Glibc)
import Glibc
#endif

/// The one way this daemon runs blocking work (poll and waitid on a child, statvfs on a
/// network mount) without blocking its event loop: a plain OS thread per call.
///
/// The daemon's single event-loop thread runs all Swift concurrency and must never wait on
/// a child process or a hung mount. One short-lived thread per call: a call that never
/// returns (a dead NFS server) strands only its own thread.
public enum OffLoopThread {
    /// Runs `work` on a new detached thread and returns its result; nil when the system
    /// refuses a thread.
    public static func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result?, Never>) in
            let started = start { continuation.resume(returning: work()) }
            if !started { continuation.resume(returning: nil) }
        }
    }

    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts `body` on a new detached thread; false when the system refuses one.
    private static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // Small stacks: these threads poll, copy bytes and read small files.
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        if result != 0 {
            Unmanaged<Body>.fromOpaque(context).release()
            return false
        }
        return true
    }
}
