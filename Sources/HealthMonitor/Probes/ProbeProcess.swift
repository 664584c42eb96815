#if canImport(Glibc)
import Glibc
#endif
import CProbeSpawn
import XMPPCore

/// How a probe command ended, and the first line it printed.
struct ProbeProcessResult: Sendable, Equatable {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Still running at the deadline: its process group was killed.
        case timedOut
    }

    var termination: Termination
    var firstLine: String
}

enum ProbeProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyCommand
    case spawnFailed(program: String, reason: String)
    case systemCallFailed(String, reason: String)
    case noThread

    var description: String {
        switch self {
        case .emptyCommand: "no program to run"
        case .spawnFailed(let program, let reason): "cannot run \(program): \(reason)"
        case .systemCallFailed(let call, let reason): "\(call) failed: \(reason)"
        case .noThread: "no thread to wait on"
        }
    }
}

/// Runs the probe command: no shell, its own process group, stdin and stderr on /dev/null,
/// the first line of stdout kept (capped), and the whole group killed at the deadline.
///
/// Everything that waits (reading the pipe, reaping the child) happens on a thread of its own
/// (`BlockingThread`), never on the daemon's event loop. Small and self-contained on purpose;
/// `commands.d` has its own runner, and the two may be unified later.
enum ProbeProcess {
    /// Bytes of the first line kept; the rest of the output is read and dropped, so a chatty
    /// probe never blocks on a full pipe.
    static let lineLimit = 4096

    static func run(_ arguments: [String], timeout: Duration) async throws(ProbeProcessError) -> ProbeProcessResult {
        guard let result = await BlockingThread.run({ runBlocking(arguments, timeout: timeout) }) else { throw .noThread }
        return try result.get()
    }

    static func runBlocking(_ arguments: [String], timeout: Duration) -> Result<ProbeProcessResult, ProbeProcessError> {
        guard let program = arguments.first, !program.isEmpty else { return .failure(.emptyCommand) }
        let deadline = ContinuousClock.now + timeout
        var ends: [Int32] = [-1, -1]
        // Close-on-exec: the child gets the write end as its stdout through dup2 only.
        guard adhocd_probe_pipe_cloexec(&ends) == 0 else { return .failure(.systemCallFailed("pipe2", reason: errorText(errno))) }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd) }
        let spawned = spawn(arguments, stdout: writeEnd)
        close(writeEnd)
        guard case .success(let pid) = spawned else {
            if case .failure(let error) = spawned { return .failure(error) }
            return .failure(.emptyCommand)
        }

        let line = readFirstLine(from: readEnd, child: pid, until: deadline)
        while !hasExited(pid) {
            guard ContinuousClock.now < deadline else { return .success(killAndReap(pid, line: line)) }
            usleep(5_000)
        }
        // The leader is done; whatever it left running in its group goes too. Killed before
        // reaping: until then the zombie keeps the group id from being reused.
        kill(-pid, SIGKILL)
        return .success(ProbeProcessResult(termination: reap(pid), firstLine: line))
    }

    // MARK: Steps

    private static func spawn(_ arguments: [String], stdout: Int32) -> Result<pid_t, ProbeProcessError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else of the daemon's (sockets, a file some library opened without
        // close-on-exec) reaches the probe.
        adhocd_probe_spawn_close_from(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // Ignored signals survive exec; the daemon ignores SIGPIPE (NIO does), which a probe
        // writing into a closed pipe must not.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var environment: [UnsafeMutablePointer<CChar>?] = probeEnvironment().map { strdup($0) } + [nil]
        defer { for variable in environment { free(variable) } }
        var pid = pid_t()
        var status = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, &environment)
        // "Text file busy": some process (another thread's child between fork and exec, a
        // deploy replacing the script) still has the file open for writing. Briefly.
        for _ in 0..<5 where status == ETXTBSY {
            usleep(20_000)
            status = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, &environment)
        }
        guard status == 0 else { return .failure(.spawnFailed(program: arguments[0], reason: errorText(status))) }
        return .success(pid)
    }

    /// What a probe sees of the daemon's environment: enough to run and nothing else. The
    /// unit's `Environment=` may hold secrets, and `NOTIFY_SOCKET` belongs to the daemon.
    private static func probeEnvironment() -> [String] {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        let language = getenv("LANG").map { String(cString: $0) } ?? "C.UTF-8"
        return ["PATH=\(path)", "LANG=\(language)"]
    }

    /// Reads until end of output, the deadline, or the child's exit with its output still held
    /// open by something it left behind; keeps the first line.
    private static func readFirstLine(from descriptor: Int32, child: pid_t, until deadline: ContinuousClock.Instant) -> String {
        var line: [UInt8] = []
        var lineComplete = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            // Short slices, so an exited child whose output stays open is noticed.
            let ready = poll(&poller, 1, Int32(min(50, max(1, (remaining / .milliseconds(1)).rounded(.up)))))
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 {
                if hasExited(child) { break }
                continue
            }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                break
            }
            if count == 0 { break }
            guard !lineComplete else { continue }
            for byte in buffer[..<count] {
                if byte == UInt8(ascii: "\n") || line.count == lineLimit {
                    lineComplete = true
                    break
                }
                line.append(byte)
            }
        }
        return String(decoding: line, as: UTF8.self).trimmingWhitespace()
    }

    /// Whether the child has ended, without reaping it.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let status = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        if status != 0 { return errno != EINTR }  // ECHILD: nothing left to wait for
        return info._sifields._sigchld.si_pid == pid
    }

    private static func killAndReap(_ pid: pid_t, line: String) -> ProbeProcessResult {
        kill(-pid, SIGKILL)
        _ = reap(pid)
        return ProbeProcessResult(termination: .timedOut, firstLine: line)
    }

    private static func reap(_ pid: pid_t) -> ProbeProcessResult.Termination {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED) != 0 {
            guard errno == EINTR else { return .signaled(SIGKILL) }
        }
        let status = info._sifields._sigchld.si_status
        return info.si_code == Int32(CLD_EXITED) ? .exited(status) : .signaled(status)
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
