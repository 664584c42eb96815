import CSpawn
#if canImport(Glibc)
import Glibc
#endif

/// The blocking half of a run, on its own thread: spawn, read, time out, stop, reap.
///
/// Stopping always targets the whole process group (`kill(-pgid, …)`): SIGTERM, then SIGKILL
/// after the grace period, so children and grandchildren go too. Processes the program leaves
/// behind in its group when it exits are stopped the same way: a run never outlives itself.
enum ProcessSupervisor {
    static func run(_ spec: ProcessSpec, stop: StopSignal) -> Result<ProcessResult, SpawnError> {
        let program = spec.argv.first ?? ""
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard adhocd_pipe_cloexec(&output) == 0 else { return .failure(SpawnError(program: program, reason: systemError())) }
        guard adhocd_pipe_cloexec(&errors) == 0 else {
            close(output[0]); close(output[1])
            return .failure(SpawnError(program: program, reason: systemError()))
        }
        let started = ContinuousClock.now
        var pid: pid_t = 0
        let status = withCStrings(spec.argv) { argv in
            withCStrings(spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) { envp in
                adhocd_spawn(&pid, program, argv, envp, spec.workingDirectory, output[1], errors[1])
            }
        }
        close(output[1])
        close(errors[1])
        guard status == 0 else {
            close(output[0]); close(errors[0])
            return .failure(SpawnError(program: program, reason: String(cString: strerror(status))))
        }
        var watch = RunWatch(pid: pid, spec: spec, started: started, output: output[0], errors: errors[0], stop: stop)
        return .success(watch.untilDone())
    }

    /// Runs `body` with a NULL-terminated C array of copies of `strings`.
    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        let copies = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return body(copies)
    }
}

/// The state of one run while its thread watches it.
private struct RunWatch {
    let pid: pid_t
    let spec: ProcessSpec
    let started: ContinuousClock.Instant
    let stop: StopSignal
    var output: Int32
    var errors: Int32
    let processDescriptor: Int32
    var capturedOutput: CapturedOutput
    var capturedErrors: CapturedOutput
    var waitStatus: Int32?
    var endedAt: ContinuousClock.Instant?
    var timedOut = false
    var cancelled = false
    var strays = false
    /// When to send SIGKILL to the group, after SIGTERM.
    var killAt: ContinuousClock.Instant?
    /// After the program has exited, how long its pipes may stay open (held by strays).
    var drainUntil: ContinuousClock.Instant?

    init(pid: pid_t, spec: ProcessSpec, started: ContinuousClock.Instant, output: Int32, errors: Int32, stop: StopSignal) {
        self.pid = pid
        self.spec = spec
        self.started = started
        self.stop = stop
        self.output = output
        self.errors = errors
        _ = fcntl(output, F_SETFL, O_NONBLOCK)
        _ = fcntl(errors, F_SETFL, O_NONBLOCK)
        // Without a pidfd (kernels before 5.3) the loop polls waitpid every 50 ms instead.
        processDescriptor = adhocd_pidfd_open(pid)
        capturedOutput = CapturedOutput(limit: spec.outputLimit, keep: .head)
        capturedErrors = CapturedOutput(limit: spec.outputLimit, keep: .tail)
    }

    mutating func untilDone() -> ProcessResult {
        let deadline = started + spec.timeout
        let wake = stop.readEnd()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let now = ContinuousClock.now
            if waitStatus == nil, !timedOut, !cancelled, now >= deadline {
                timedOut = true
                terminateGroup(now)
            }
            if let killAt, now >= killAt {
                kill(-pid, SIGKILL)
                self.killAt = nil
            }
            if waitStatus != nil {
                if output < 0 && errors < 0 { break }
                if let drainUntil, now >= drainUntil { break }
            }

            var descriptors: [pollfd] = []
            for fd in [output, errors] where fd >= 0 { descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            let watchesExit = waitStatus == nil && processDescriptor >= 0
            if watchesExit { descriptors.append(pollfd(fd: processDescriptor, events: Int16(POLLIN), revents: 0)) }
            let watchesStop = !cancelled && waitStatus == nil && wake != nil
            if watchesStop, let wake { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }

            var wakeups: [ContinuousClock.Instant] = [killAt, drainUntil].compactMap { $0 }
            if waitStatus == nil, !timedOut, !cancelled { wakeups.append(deadline) }
            if waitStatus == nil, processDescriptor < 0 { wakeups.append(now + .milliseconds(50)) }
            let timeout = wakeups.min().map { max(0, milliseconds(until: $0, from: now)) } ?? -1
            _ = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: timeout))

            Self.drain(&output, into: &capturedOutput, buffer: &buffer)
            Self.drain(&errors, into: &capturedErrors, buffer: &buffer)
            if watchesStop, stop.hasFired, waitStatus == nil, !cancelled {
                cancelled = true
                terminateGroup(.now)
            }
            if waitStatus == nil { reapIfExited() }
        }
        finish()
        let duration = (endedAt ?? .now) - started
        capturedOutput.finish()
        capturedErrors.finish()
        let status = waitStatus ?? 0
        let code = adhocd_exit_code(status)
        return ProcessResult(
            ending: code >= 0 ? .exited(code) : .signalled(adhocd_terminating_signal(status)),
            timedOut: timedOut, cancelled: cancelled, strayProcessesStopped: strays,
            standardOutput: capturedOutput, standardError: capturedErrors, duration: duration)
    }

    /// SIGTERM to the whole group, SIGKILL after the grace period.
    private mutating func terminateGroup(_ now: ContinuousClock.Instant) {
        kill(-pid, SIGTERM)
        if killAt == nil { killAt = now + spec.killGrace }
    }

    /// Notes the program's exit without reaping it: while the leader is an unreaped zombie its
    /// pid, and so the group's id, cannot be given to another process, so the signals the
    /// group may still get (strays, SIGKILL after the grace) reach only this run's processes.
    /// `finish()` reaps it last.
    private mutating func reapIfExited() {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid else { return }
        let now = ContinuousClock.now
        let value = info._sifields._sigchld.si_status
        // As waitpid(2) would have reported it, for adhocd_exit_code and adhocd_terminating_signal.
        waitStatus = info.si_code == Int32(CLD_EXITED) ? (value & 0xFF) << 8 : (value & 0x7F)
        endedAt = now
        // Anything still in the group was left behind by the program: stop it too.
        if Self.groupHasMembers(besides: pid) {
            strays = true
            terminateGroup(now)
        }
        drainUntil = now + spec.killGrace + .seconds(1)
    }

    /// Whether a live process other than `leader` is in the group `leader` leads. `kill(-pgid, 0)`
    /// cannot tell: the unreaped leader still counts as a member.
    static func groupHasMembers(besides leader: pid_t) -> Bool {
        guard let directory = opendir("/proc") else { return kill(-leader, 0) == 0 }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let process = pid_t(name), process != leader else { continue }
            guard let stat = readSmallFile("/proc/\(name)/stat"), let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm)": state, ppid, pgrp, … (the name may hold spaces and parentheses).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", fields[0] != "X", pid_t(fields[2]) == leader else { continue }
            return true
        }
        return false
    }

    private static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }

    /// Reads what is there without blocking; closes the descriptor at end of file.
    private static func drain(_ fd: inout Int32, into captured: inout CapturedOutput, buffer: inout [UInt8]) {
        guard fd >= 0 else { return }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.withUnsafeBytes { captured.append(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                continue
            }
            if count == 0 || (errno != EAGAIN && errno != EINTR) {
                close(fd)
                fd = -1
            }
            return
        }
    }

    /// Leaves nothing behind: the group gets SIGKILL if it still exists, descriptors close.
    private mutating func finish() {
        // Safe whatever is left: the leader is not reaped yet, so the group id is still ours.
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        for fd in [output, errors, processDescriptor] where fd >= 0 { close(fd) }
        output = -1
        errors = -1
    }

    private func milliseconds(until instant: ContinuousClock.Instant, from now: ContinuousClock.Instant) -> Int {
        let remaining = instant - now
        return Int(remaining.components.seconds) * 1000 + Int(remaining.components.attoseconds / 1_000_000_000_000_000) + 1
    }
}

func systemError() -> String {
    String(cString: strerror(errno))
}
