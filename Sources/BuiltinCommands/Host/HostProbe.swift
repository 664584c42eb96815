#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a `HostSnapshot` from /proc and statvfs.
public struct HostProbe: Sendable {
    /// Where /proc is; tests point it at fixtures.
    public var procRoot: String

    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    public enum ProbeError: Error, CustomStringConvertible {
        case unreadable(String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read \(path)"
            }
        }
    }

    public func snapshot() throws -> HostSnapshot {
        let uptimePath = procRoot + "/uptime", loadPath = procRoot + "/loadavg"
        let memoryPath = procRoot + "/meminfo", mountsPath = procRoot + "/mounts"
        guard let uptime = readTextFile(uptimePath).flatMap(ProcParser.uptime) else { throw ProbeError.unreadable(uptimePath) }
        guard let load = readTextFile(loadPath).flatMap(ProcParser.loadAverage) else { throw ProbeError.unreadable(loadPath) }
        guard let memory = readTextFile(memoryPath).flatMap(ProcParser.memory) else { throw ProbeError.unreadable(memoryPath) }
        let mounts = readTextFile(mountsPath).map(ProcParser.mounts) ?? []
        return HostSnapshot(
            hostname: Self.hostname(),
            uptimeSeconds: uptime,
            load: load,
            memory: memory,
            disks: mounts.compactMap(Self.usage))
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Space on one mount; nil when it cannot be read or is empty (an unmounted automount).
    static func usage(of mount: ProcParser.Mount) -> HostSnapshot.Disk? {
        var stats = statvfs()
        guard statvfs(mount.mountPoint, &stats) == 0, stats.f_blocks > 0 else { return nil }
        let blockSize = UInt64(stats.f_frsize)
        // Saturating: some network and FUSE file systems report absurd block counts.
        func bytes(_ blocks: UInt64) -> UInt64 {
            let (product, overflow) = blocks.multipliedReportingOverflow(by: blockSize)
            return overflow ? .max : product
        }
        let total = bytes(UInt64(stats.f_blocks))
        let free = bytes(UInt64(stats.f_bfree))
        return HostSnapshot.Disk(
            mountPoint: mount.mountPoint,
            fileSystem: mount.fileSystem,
            totalBytes: total,
            availableBytes: bytes(UInt64(stats.f_bavail)),
            usedBytes: total > free ? total - free : 0)
    }
}

/// The whole of a small text file, or nil. /proc files report size 0, so read until EOF.
public func readTextFile(_ path: String, limit: Int = 1 << 20) -> String? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < limit {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if count == 0 { break }
        bytes += chunk.prefix(count)
    }
    return String(decoding: bytes, as: UTF8.self)
}
