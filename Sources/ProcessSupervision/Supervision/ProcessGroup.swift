#if canImport(Glibc)
import Glibc
#endif

/// The process group a run's program leads, and the order of its teardown.
///
/// The program's exit is observed without reaping it (`waitid` with WNOWAIT): while the
/// leader is an unreaped zombie its pid, and so the group's id, cannot be given to another
/// process, so every signal sent to the group (strays, SIGKILL after the grace) reaches only
/// this run's processes. `reap()` comes last.
struct ProcessGroup {
    let leader: pid_t

    /// SIGTERM, SIGKILL: to every process in the group.
    func signal(_ number: Int32) {
        kill(-leader, number)
    }

    /// How the leader ended, once it has; it stays unreaped.
    func ending() -> ProcessResult.Ending? {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(leader), &info, WEXITED | WNOHANG | WNOWAIT) == 0 { break }
            if errno == EINTR { continue }
            // ECHILD: reaped behind our back (SIGCHLD ignored); nothing more is known.
            return .signalled(SIGKILL)
        }
        guard info._sifields._sigchld.si_pid == leader else { return nil }
        let value = info._sifields._sigchld.si_status
        return info.si_code == Int32(CLD_EXITED) ? .exited(value & 0xFF) : .signalled(value)
    }

    /// Reaps the leader, after everything else; the group id is free again afterwards.
    func reap() {
        var status: Int32 = 0
        while waitpid(leader, &status, 0) < 0, errno == EINTR {}
    }

    /// Whether a live process other than the leader is in its group. `kill(-pgid, 0)` cannot
    /// tell: the unreaped leader still counts as a member.
    func hasOtherMembers() -> Bool {
        guard let directory = opendir("/proc") else { return kill(-leader, 0) == 0 }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let process = pid_t(name), process != leader else { continue }
            guard let stat = Self.readSmallFile("/proc/\(name)/stat"), let close = stat.lastIndex(of: ")") else { continue }
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
}
