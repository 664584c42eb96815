import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A bot under measurement, started by the benchmark so that its start-to-online time is
/// measured from the moment it is spawned. The program is a launcher script bench/run writes,
/// which `exec`s the bot (under a profiler when asked), so the spawned pid is the bot's.
final class LaunchedProcess: Sendable {
    let pid: Int32
    let name: String
    /// Set once reaped: the pid may then belong to another process.
    private let reaped = Atomic<Bool>(false)

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    init(name: String, program: String, arguments: [String] = []) throws {
        var pid: pid_t = 0
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let status = posix_spawn(&pid, program, nil, nil, argv, environ)
        guard status == 0 else {
            throw SpawnError(description: "could not start \(name) (\(program)): \(String(cString: strerror(status)))")
        }
        self.pid = pid
        self.name = name
    }

    /// Waits for the program to exit and returns its exit status (for helper programs).
    @discardableResult
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped.store(true, ordering: .sequentiallyConsistent)
        return (status >> 8) & 0xff
    }

    /// SIGTERM to a child of ours (a bot under a wrapper), then up to five seconds for us to exit.
    func signalChild(_ child: Int32) {
        guard !reaped.load(ordering: .sequentiallyConsistent) else { return }
        kill(child, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<500 {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) {
                reaped.store(true, ordering: .sequentiallyConsistent)
                return
            }
            usleep(10_000)
        }
    }

    /// SIGTERM, then the exit; SIGKILL if it is still there after five seconds.
    func stop() {
        guard !reaped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<500 {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
}
