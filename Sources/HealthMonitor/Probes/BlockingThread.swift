#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs blocking work (statvfs on a network mount, waiting for a child process) on a thread of
/// its own, so the daemon's single event-loop thread never waits for it.
///
/// One short-lived thread per call: probes run once per interval, and a call that never
/// returns (a dead NFS server) strands only its own thread. The probe runner does not start
/// the same probe again while one is still stuck.
enum BlockingThread {
    /// Runs `work` on a new detached thread and returns its result; nil if no thread could be made.
    static func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result?, Never>) in
            let job = Job { continuation.resume(returning: work()) }
            let box = Unmanaged.passRetained(job)
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { argument in
                guard let argument else { return nil }
                Unmanaged<Job>.fromOpaque(argument).takeRetainedValue().body()
                return nil
            }, box.toOpaque())
            guard status == 0 else {
                box.release()
                continuation.resume(returning: nil)
                return
            }
            pthread_detach(thread)
        }
    }

    private final class Job: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
