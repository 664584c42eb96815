import CProcessSpawn
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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
