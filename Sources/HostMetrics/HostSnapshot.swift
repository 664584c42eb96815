/// The machine's vital signs at one moment.
public struct HostSnapshot: Sendable, Equatable {
    public struct Memory: Sendable, Equatable {
        public var totalBytes: UInt64
        public var availableBytes: UInt64

        public init(totalBytes: UInt64, availableBytes: UInt64) {
            self.totalBytes = totalBytes
            self.availableBytes = availableBytes
        }

        public var usedBytes: UInt64 { totalBytes > availableBytes ? totalBytes - availableBytes : 0 }
    }

    public struct Disk: Sendable, Equatable {
        public var mountPoint: String
        public var fileSystem: String
        public var totalBytes: UInt64
        /// Free for unprivileged users (what `df` shows as Avail).
        public var availableBytes: UInt64
        public var usedBytes: UInt64

        public init(mountPoint: String, fileSystem: String, totalBytes: UInt64, availableBytes: UInt64, usedBytes: UInt64) {
            self.mountPoint = mountPoint
            self.fileSystem = fileSystem
            self.totalBytes = totalBytes
            self.availableBytes = availableBytes
            self.usedBytes = usedBytes
        }

        /// Used share as `df` computes it: used / (used + available).
        public var usedPercent: Int {
            // In floating point: byte counts times 100 can overflow 64 bits on odd file systems.
            let denominator = Double(usedBytes) + Double(availableBytes)
            guard denominator > 0 else { return 0 }
            return Int((Double(usedBytes) * 100 / denominator).rounded(.up))
        }
    }

    public var hostname: String
    public var uptimeSeconds: Double
    public var load: (one: Double, five: Double, fifteen: Double)
    public var memory: Memory
    public var disks: [Disk]

    public init(hostname: String, uptimeSeconds: Double, load: (one: Double, five: Double, fifteen: Double), memory: Memory, disks: [Disk]) {
        self.hostname = hostname
        self.uptimeSeconds = uptimeSeconds
        self.load = load
        self.memory = memory
        self.disks = disks
    }

    public static func == (lhs: HostSnapshot, rhs: HostSnapshot) -> Bool {
        lhs.hostname == rhs.hostname && lhs.uptimeSeconds == rhs.uptimeSeconds && lhs.load == rhs.load
            && lhs.memory == rhs.memory && lhs.disks == rhs.disks
    }
}
