/// Readers of the Linux /proc text formats; pure, so they are tested on fixtures.
public enum ProcParser {
    /// `/proc/uptime`: "12345.67 54321.00".
    public static func uptime(_ text: String) -> Double? {
        text.split(separator: " ").first.flatMap { Double($0) }.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
    }

    /// `/proc/loadavg`: "0.52 0.40 0.31 1/123 4567".
    public static func loadAverage(_ text: String) -> (Double, Double, Double)? {
        let parts = text.split(separator: " ")
        guard parts.count >= 3, let one = Double(parts[0]), let five = Double(parts[1]), let fifteen = Double(parts[2]) else {
            return nil
        }
        return (one, five, fifteen)
    }

    /// `/proc/meminfo`: MemTotal and MemAvailable, in kB.
    public static func memory(_ text: String) -> HostSnapshot.Memory? {
        var values: [Substring: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let number = UInt64(parts[1]) else { continue }
            let (bytes, overflow) = number.multipliedReportingOverflow(by: 1024)
            values[parts[0].dropLast()] = overflow ? .max : bytes
        }
        guard let total = values["MemTotal"] else { return nil }
        // Kernels before 3.14 lack MemAvailable; free + buffers + cached is the old estimate.
        let available = values["MemAvailable"] ?? ((values["MemFree"] ?? 0) + (values["Buffers"] ?? 0) + (values["Cached"] ?? 0))
        return HostSnapshot.Memory(totalBytes: total, availableBytes: available)
    }

    public struct Mount: Sendable, Equatable {
        public var device: String
        public var mountPoint: String
        public var fileSystem: String
    }

    /// File systems that hold no user data (kernel interfaces, RAM-backed scratch, snaps).
    static let pseudoFileSystems: Set<String> = [
        "proc", "sysfs", "devpts", "devtmpfs", "tmpfs", "cgroup", "cgroup2", "securityfs", "debugfs", "tracefs",
        "mqueue", "hugetlbfs", "pstore", "bpf", "autofs", "configfs", "fusectl", "binfmt_misc", "rpc_pipefs",
        "nsfs", "ramfs", "squashfs", "efivarfs", "selinuxfs", "fuse.gvfsd-fuse", "fuse.portal", "overlay",
    ]

    /// `/proc/mounts`: the data-bearing mounts, first mount of each device only (bind mounts
    /// repeat a device). Octal escapes (`\040` for a space) are decoded.
    public static func mounts(_ text: String) -> [Mount] {
        var seenDevices = Set<String>()
        var result: [Mount] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 3 else { continue }
            let mount = Mount(device: unescape(parts[0]), mountPoint: unescape(parts[1]), fileSystem: String(parts[2]))
            // The root file system always counts, even an overlay in a container.
            let isRoot = mount.mountPoint == "/"
            guard isRoot || !pseudoFileSystems.contains(mount.fileSystem), seenDevices.insert(mount.device).inserted else { continue }
            result.append(mount)
        }
        return result
    }

    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var iterator = Array(field.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "\\"), iterator.count >= 3,
               let value = UInt8(String(decoding: iterator.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                iterator = iterator.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
