#if canImport(Glibc)
import Glibc
#endif

/// What another process costs, read from /proc: CPU time, memory, wake-ups.
struct ProcessProbe: Sendable {
    let pid: Int32

    /// User plus system CPU seconds (/proc/PID/stat fields 14 and 15), all threads.
    func cpuSeconds() -> Double {
        let times = cpuTimes()
        return times.user + times.system
    }

    /// User and system (kernel, on the process's behalf) CPU seconds, all threads.
    func cpuTimes() -> (user: Double, system: Double) {
        guard let text = ProcFile.read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return (0, 0) }
        // Fields after the command name (which may contain spaces) start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return (0, 0) }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user / ticks, system / ticks)
    }

    /// VmRSS from /proc/PID/status, in bytes: everything resident, shared code pages included.
    func residentBytes() -> Int { ProcFile.field("VmRSS:", in: ProcFile.read("/proc/\(pid)/status")) * 1024 }

    /// Resident, proportional and private memory from /proc/PID/smaps_rollup. PSS divides each
    /// shared page among the processes mapping it: what this process really costs the machine.
    func memory() -> MemoryFigures {
        let text = ProcFile.read("/proc/\(pid)/smaps_rollup")
        return MemoryFigures(
            resident: ProcFile.field("Rss:", in: text) * 1024,
            proportional: ProcFile.field("Pss:", in: text) * 1024,
            privateBytes: (ProcFile.field("Private_Clean:", in: text) + ProcFile.field("Private_Dirty:", in: text)) * 1024,
            anonymous: ProcFile.field("Anonymous:", in: text) * 1024)
    }

    /// Context switches of all threads so far (voluntary and not): each is one time the process
    /// was woken up or preempted. Counted over an idle window, they are its idle wake-ups.
    func contextSwitches() -> Int {
        var total = 0
        for thread in ProcFile.entries("/proc/\(pid)/task") {
            let text = ProcFile.read("/proc/\(pid)/task/\(thread)/status")
            total += ProcFile.field("voluntary_ctxt_switches:", in: text) + ProcFile.field("nonvoluntary_ctxt_switches:", in: text)
        }
        return total
    }

    /// The process's children (for a bot started under a wrapper such as `perf record`).
    func children() -> [Int32] {
        guard let text = ProcFile.read("/proc/\(pid)/task/\(pid)/children") else { return [] }
        return text.split(separator: " ").compactMap { Int32($0.trimmingSpaces) }
    }
}

struct MemoryFigures: Sendable {
    var resident = 0
    var proportional = 0
    var privateBytes = 0
    var anonymous = 0
}

/// Small readers of /proc files, which report a size of 0 and are read until end of file.
enum ProcFile {
    static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk.prefix(count)
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// The number after `name` on its line ("VmRSS:   1234 kB" → 1234), 0 when absent.
    static func field(_ name: String, in text: String?) -> Int {
        guard let text else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let value = Int(parts[1].trimmingSpaces) { return value }
        }
        return 0
    }

    /// Names in a directory, without "." and "..".
    static func entries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
