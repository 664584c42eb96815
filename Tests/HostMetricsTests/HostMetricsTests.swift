import Testing
@testable import HostMetrics

@Suite struct ProcParserTests {
    @Test func readsUptimeAndLoad() throws {
        #expect(ProcParser.uptime("350735.47 234388.90\n") == 350_735.47)
        let load = try #require(ProcParser.loadAverage("0.52 0.40 0.31 1/123 4567\n"))
        #expect(load.0 == 0.52 && load.1 == 0.40 && load.2 == 0.31)
        #expect(ProcParser.loadAverage("garbage") == nil)
        #expect(ProcParser.uptime("") == nil)
        #expect(ProcParser.uptime("inf 1") == nil)
        #expect(ProcParser.memory("MemTotal: 99999999999999999999 kB\n") == nil)
        #expect(ProcParser.memory("MemTotal: 18446744073709551615 kB\n")?.totalBytes == .max)
    }

    @Test func readsMemory() throws {
        let meminfo = """
        MemTotal:        8000000 kB
        MemFree:          500000 kB
        MemAvailable:    6000000 kB
        Buffers:          100000 kB
        """
        let memory = try #require(ProcParser.memory(meminfo))
        #expect(memory.totalBytes == 8_000_000 * 1024)
        #expect(memory.availableBytes == 6_000_000 * 1024)
        #expect(memory.usedBytes == 2_000_000 * 1024)
        // Old kernels: no MemAvailable.
        let old = try #require(ProcParser.memory("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n"))
        #expect(old.availableBytes == 35 * 1024)
        #expect(ProcParser.memory("nothing here") == nil)
    }

    @Test func readsDataBearingMountsOnce() {
        let mounts = """
        proc /proc proc rw 0 0
        /dev/sda1 / ext4 rw 0 0
        tmpfs /run tmpfs rw 0 0
        /dev/sda2 /home ext4 rw 0 0
        /dev/sda2 /srv/bind ext4 rw 0 0
        /dev/sdb1 /mnt/My\\040Disk vfat rw 0 0
        overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0
        """
        let parsed = ProcParser.mounts(mounts)
        #expect(parsed.map(\.mountPoint) == ["/", "/home", "/mnt/My Disk"])
        // A container's overlay root still counts.
        #expect(ProcParser.mounts("overlay / overlay rw 0 0\n").map(\.mountPoint) == ["/"])
    }

    @Test func readsThisMachine() throws {
        let snapshot = try HostReader().snapshot()
        #expect(snapshot.uptimeSeconds > 0)
        #expect(snapshot.memory.totalBytes > 0)
        #expect(!snapshot.hostname.isEmpty)
        #expect(snapshot.disks.contains { $0.mountPoint == "/" })
    }

    @Test func readsEachValueOnItsOwn() throws {
        let host = HostReader()
        #expect(try host.uptime() > 0)
        #expect(try host.memory().totalBytes > 0)
        #expect(try host.loadAverage().one >= 0)
        #expect(try host.usage(of: "/").totalBytes > 0)
        #expect(HostReader.processorCount() >= 1)
        #expect(throws: HostReader.ReadError.noFileSystem(path: "/nonexistent", reason: "No such file or directory")) {
            try host.usage(of: "/nonexistent")
        }
        #expect(throws: HostReader.ReadError.unreadable("/nonexistent/loadavg")) { try HostReader(procRoot: "/nonexistent").loadAverage() }
    }

    @Test func failsClearlyWithoutProc() {
        #expect(throws: HostReader.ReadError.self) { try HostReader(procRoot: "/nonexistent").snapshot() }
    }
}

@Suite struct FormatTests {
    @Test func formatsDurationsBytesAndDecimals() {
        #expect(Format.duration(seconds: 42.9) == "42 s")
        #expect(Format.duration(seconds: .infinity) == "unknown")
        #expect(Format.duration(seconds: 3700) == "1 h 1 min")
        #expect(Format.duration(seconds: 3 * 86_400 + 4 * 3600 + 5 * 60) == "3 d 4 h 5 min")
        #expect(Format.bytes(512) == "512 B")
        #expect(Format.bytes(1536) == "1.5 KiB")
        #expect(Format.bytes(8 * 1024 * 1024 * 1024) == "8.0 GiB")
        #expect(Format.decimal(0.5, places: 2) == "0.50")
        #expect(Format.decimal(-1.005, places: 1) == "-1.0")
        #expect(Format.decimal(2, places: 0) == "2")
        #expect(Format.decimal(.nan, places: 2) == "nan")
        #expect(Format.decimal(1e300, places: 2) == "1e+300")
    }
}
