import CProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// The blocking half of a run, on its own thread: spawn, read, time out, stop, reap.
///
/// Stopping always targets the whole process group: SIGTERM, then SIGKILL after the grace
/// period, so children and grandchildren go too. Processes the program leaves behind in its
/// group when it exits (found through /proc) are stopped the same way: a run never outlives
/// itself.
enum ProcessSupervisor {
    static func run(_ spec: ProcessSpec, stop: StopSignal) -> Result<ProcessResult, SpawnError> {
        var output = OutputPipe(spec.standardOutput)
        var errors = OutputPipe(spec.standardError)
        defer {
            output.closeBoth()
            errors.closeBoth()
        }
        guard output.open(), errors.open() else { return .failure(SpawnError(program: spec.programName, code: errno)) }
        let started = ContinuousClock.now
        let spawned = Spawner.spawn(spec, standardOutput: output.writeEnd, standardError: errors.writeEnd)
        output.closeWriteEnd()
        errors.closeWriteEnd()
        switch spawned {
        case .failure(let error):
            return .failure(error)
        case .success(let pid):
            var watch = RunWatch(group: ProcessGroup(leader: pid), spec: spec, started: started, stop: stop)
            return .success(watch.untilDone(output: &output, errors: &errors))
        }
    }
}

/// One output stream: a pipe whose read end is drained into a capped buffer, or nothing.
struct OutputPipe {
    var captured: CapturedOutput
    let isCaptured: Bool
    private(set) var readEnd: Int32 = -1
    private(set) var writeEnd: Int32 = -1

    init(_ capture: OutputCapture) {
        switch capture {
        case .keep(let limit, let keep):
            captured = CapturedOutput(limit: limit, keep: keep)
            isCaptured = true
        case .discard:
            captured = CapturedOutput(limit: 0, keep: .tail)
            isCaptured = false
        }
    }

    /// Creates the pipe when the stream is captured.
    mutating func open() -> Bool {
        guard isCaptured else { return true }
        var fds: [Int32] = [-1, -1]
        guard adhocd_pipe_cloexec(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        (readEnd, writeEnd) = (fds[0], fds[1])
        return true
    }

    var isOpen: Bool { readEnd >= 0 }

    mutating func closeWriteEnd() {
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
    }

    mutating func closeBoth() {
        closeWriteEnd()
        if readEnd >= 0 { close(readEnd) }
        readEnd = -1
    }

    /// Reads what is there without blocking; closes the read end at end of file.
    mutating func drain(buffer: inout [UInt8]) {
        guard readEnd >= 0 else { return }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.withUnsafeBytes { captured.append(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                continue
            }
            if count == 0 || (errno != EAGAIN && errno != EINTR) {
                close(readEnd)
                readEnd = -1
            }
            return
        }
    }
}

/// The state of one run while its thread watches it.
private struct RunWatch {
    let group: ProcessGroup
    let spec: ProcessSpec
    let started: ContinuousClock.Instant
    let stop: StopSignal
    let deadline: Deadline
    /// Readable when the program exits; without one (kernels before 5.3) the loop looks every 50 ms.
    let exitDescriptor: Int32
    var ending: ProcessResult.Ending?
    var endedAt: ContinuousClock.Instant?
    var timedOut = false
    var cancelled = false
    var strays = false
    /// When to send SIGKILL to the group, after SIGTERM.
    var killAt: Deadline?
    /// After the program has exited, how long its pipes may stay open (held by strays).
    var drainUntil: Deadline?

    init(group: ProcessGroup, spec: ProcessSpec, started: ContinuousClock.Instant, stop: StopSignal) {
        self.group = group
        self.spec = spec
        self.started = started
        self.stop = stop
        deadline = Deadline.after(spec.timeout, from: started)
        exitDescriptor = adhocd_pidfd_open(group.leader)
    }

    mutating func untilDone(output: inout OutputPipe, errors: inout OutputPipe) -> ProcessResult {
        let wake = stop.readEnd()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let now = ContinuousClock.now
            if ending == nil, !timedOut, !cancelled, deadline.hasPassed(at: now) {
                timedOut = true
                terminate(now)
            }
            if let killAt, killAt.hasPassed(at: now) {
                group.signal(SIGKILL)
                self.killAt = nil
            }
            if ending != nil {
                if !output.isOpen && !errors.isOpen { break }
                if let drainUntil, drainUntil.hasPassed(at: now) { break }
            }

            var descriptors: [pollfd] = []
            for fd in [output.readEnd, errors.readEnd] where fd >= 0 { descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if ending == nil, exitDescriptor >= 0 { descriptors.append(pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)) }
            let watchesStop = !cancelled && ending == nil && wake != nil
            if watchesStop, let wake { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }

            var wakeups = [killAt, drainUntil].compactMap { $0 }
            if ending == nil, !timedOut, !cancelled { wakeups.append(deadline) }
            if ending == nil, exitDescriptor < 0 { wakeups.append(.after(.milliseconds(50), from: now)) }
            _ = poll(&descriptors, nfds_t(descriptors.count), Deadline.pollTimeout(until: wakeups, now: now))

            output.drain(buffer: &buffer)
            errors.drain(buffer: &buffer)
            if watchesStop, stop.hasFired, ending == nil, !cancelled {
                cancelled = true
                terminate(.now)
            }
            if ending == nil { noteExit() }
        }
        // Whatever is left goes; safe, since the leader is not reaped yet and the group id is still ours.
        group.signal(SIGKILL)
        group.reap()
        if exitDescriptor >= 0 { close(exitDescriptor) }
        output.captured.finish()
        errors.captured.finish()
        return ProcessResult(
            ending: ending ?? .signalled(SIGKILL), timedOut: timedOut, cancelled: cancelled, strayProcessesStopped: strays,
            standardOutput: output.captured, standardError: errors.captured, duration: (endedAt ?? .now) - started)
    }

    /// SIGTERM to the whole group, SIGKILL after the grace period.
    private mutating func terminate(_ now: ContinuousClock.Instant) {
        group.signal(SIGTERM)
        if killAt == nil { killAt = .after(spec.killGrace, from: now) }
    }

    /// Notes the program's exit (without reaping it); anything still in its group was left
    /// behind by the program and is stopped too.
    private mutating func noteExit() {
        guard let ended = group.ending() else { return }
        let now = ContinuousClock.now
        ending = ended
        endedAt = now
        if group.hasOtherMembers() {
            strays = true
            terminate(now)
        }
        drainUntil = .after(spec.killGrace + .seconds(1), from: now)
    }
}
