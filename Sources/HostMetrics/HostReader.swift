#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a `HostSnapshot` from /proc and statvfs.
public struct HostReader: Sendable {
    /// Where /proc is; tests point it at fixtures.
    public var procRoot: String

    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    public enum ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(String)
        case noFileSystem(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read \(path)"
            case .noFileSystem(let path, let reason): "cannot read the file system at \(path): \(reason)"
            }
        }
    }

    public func snapshot() throws(ReadError) -> HostSnapshot {
        HostSnapshot(
            hostname: Self.hostname(),
            uptimeSeconds: try uptime(),
            load: try loadAverage(),
            memory: try memory(),
            disks: mounts().compactMap { try? usage(of: $0.mountPoint, fileSystem: $0.fileSystem) })
    }

    // Each reading on its own, so the health monitor can time and report them separately.

    public func uptime() throws(ReadError) -> Double {
        try read("uptime", ProcParser.uptime)
    }

    public func loadAverage() throws(ReadError) -> (one: Double, five: Double, fifteen: Double) {
        try read("loadavg", ProcParser.loadAverage)
    }

    public func memory() throws(ReadError) -> HostSnapshot.Memory {
        try read("meminfo", ProcParser.memory)
    }

    /// The data-bearing mounts; empty when /proc/mounts cannot be read.
    public func mounts() -> [ProcParser.Mount] {
        readTextFile(procRoot + "/mounts").map(ProcParser.mounts) ?? []
    }

    private func read<Value>(_ name: String, _ parse: (String) -> Value?) throws(ReadError) -> Value {
        let path = procRoot + "/" + name
        guard let value = readTextFile(path).flatMap(parse) else { throw .unreadable(path) }
        return value
    }

    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Processors online, for load per core; at least 1.
    public static func processorCount() -> Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Space on the file system holding `path`. An empty one (an unmounted automount) is an
    /// error too: it has no meaningful use share. May block on a dead network mount.
    public func usage(of path: String, fileSystem: String = "") throws(ReadError) -> HostSnapshot.Disk {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { throw .noFileSystem(path: path, reason: String(cString: strerror(errno))) }
        guard stats.f_blocks > 0 else { throw .noFileSystem(path: path, reason: "it reports no blocks") }
        let blockSize = UInt64(stats.f_frsize)
        // Saturating: some network and FUSE file systems report absurd block counts.
        func bytes(_ blocks: UInt64) -> UInt64 {
            let (product, overflow) = blocks.multipliedReportingOverflow(by: blockSize)
            return overflow ? .max : product
        }
        let total = bytes(UInt64(stats.f_blocks))
        let free = bytes(UInt64(stats.f_bfree))
        return HostSnapshot.Disk(
            mountPoint: path,
            fileSystem: fileSystem,
            totalBytes: total,
            availableBytes: bytes(UInt64(stats.f_bavail)),
            usedBytes: total > free ? total - free : 0)
    }
}
