import CSpawn
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs programs without a shell and without blocking the event loop.
///
/// Each run gets a thread of its own that spawns the program (posix_spawn, own process group,
/// stdin from /dev/null), reads its standard output and error with caps, enforces the time
/// limit, and reaps it. Cancelling the calling task stops the run like a timeout does.
public struct ProcessRunner: Sendable {
    public init() {}

    public func run(_ spec: ProcessSpec) async throws(SpawnError) -> ProcessResult {
        let stop = StopSignal()
        let outcome: Result<ProcessResult, SpawnError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let started = DetachedThread.start {
                    continuation.resume(returning: ProcessSupervisor.run(spec, stop: stop))
                }
                if !started {
                    continuation.resume(returning: .failure(SpawnError(program: spec.argv.first ?? "", reason: "no thread to watch it (the system refused one)")))
                }
            }
        } onCancel: {
            stop.fire()
        }
        return try outcome.get()
    }
}

/// Wakes a supervising thread out of poll() when the run must stop early.
final class StopSignal: Sendable {
    private let fired = Atomic<Bool>(false)
    private let descriptors = Mutex<(read: Int32, write: Int32)?>(nil)

    /// The end poll() watches; created on first use by the supervisor.
    func readEnd() -> Int32? {
        descriptors.withLock { pair in
            if pair == nil {
                var fds: [Int32] = [-1, -1]
                guard adhocd_pipe_cloexec(&fds) == 0 else { return nil }
                _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
                _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
                pair = (fds[0], fds[1])
                // Fired before the pipe existed: make it readable now.
                if fired.load(ordering: .acquiring) { var byte: UInt8 = 1; _ = write(fds[1], &byte, 1) }
            }
            return pair?.read
        }
    }

    var hasFired: Bool { fired.load(ordering: .acquiring) }

    func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        descriptors.withLock { pair in
            guard let pair else { return }
            var byte: UInt8 = 1
            _ = write(pair.write, &byte, 1)
        }
    }

    deinit {
        descriptors.withLock { pair in
            if let pair {
                close(pair.read)
                close(pair.write)
            }
        }
    }
}
