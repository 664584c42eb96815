import Foundation

/// A throwaway `dbus-daemon --session` on a socket in a temporary directory, and programs
/// started on it (a real mpv with its MPRIS plugin). `stop()` ends all of them.
public final class PrivateBus: @unchecked Sendable {
    public let address: String
    private let directory: URL
    private let lock = NSLock()
    private var processes: [String: Process] = [:]

    public static var hasDBusDaemon: Bool { Prerequisites.isInstalled("dbus-daemon") }
    public static var hasMPV: Bool { Prerequisites.isInstalled("mpv") && FileManager.default.fileExists(atPath: "/etc/mpv/scripts/mpris.so") }
    public static var testsEnabled: Bool { hasDBusDaemon || Prerequisites.isCI }
    public static var mpvTestsEnabled: Bool { (hasDBusDaemon && hasMPV) || Prerequisites.isCI }
    public static let missingMessage = "dbus-daemon not found: D-Bus tests skipped (run `make test` to install it)"
    public static let mpvMissingMessage = "dbus-daemon, mpv or mpv-mpris not found: media-player tests skipped (run `make test` to install them)"

    public init() throws {
        guard Self.hasDBusDaemon else { throw SandboxError.missingPrerequisite("CI=true and " + Self.missingMessage) }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("adhocd-bus-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        address = "unix:path=\(directory.path)/bus"
        try launch("dbus-daemon", "/usr/bin/dbus-daemon", ["--session", "--nofork", "--nopidfile", "--address=\(address)"])
        // The socket file appears at bind(), a moment before the daemon listens: wait for an answer.
        try waitFor("the bus to answer") { self.busHasName("org.freedesktop.DBus") }
    }

    /// Starts mpv playing a sine tone in a loop, and returns once its MPRIS name is on the bus.
    public func startMPV() throws {
        guard Self.hasMPV else { throw SandboxError.missingPrerequisite("CI=true and " + Self.mpvMissingMessage) }
        let log = directory.appendingPathComponent("mpv.log")
        try launch("mpv", "/usr/bin/mpv", [
            "--idle=yes", "--ao=null", "--vo=null", "--no-terminal", "--loop-file=inf", "--volume=50",
            "--force-media-title=Test tone", "av://lavfi:sine=frequency=440",
        ], output: log)
        do {
            try waitFor("mpv's MPRIS name") { self.busHasName("org.mpris.MediaPlayer2.mpv") }
        } catch {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw SandboxError.notReady("\(error); mpv said:\n\(output.suffix(2000))")
        }
    }

    /// A bus started off Swift concurrency's threads (starting waits for the daemon to answer).
    public static func started() async throws -> PrivateBus {
        try await runBlocking { try PrivateBus() }
    }

    /// `startMPV()` off Swift concurrency's threads.
    public func mpvStarted() async throws {
        try await runBlocking { try self.startMPV() }
    }

    public func stopMPV() {
        stopProcess("mpv")
    }

    public func busHasName(_ name: String) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/dbus-send")
        probe.arguments = ["--bus=\(address)", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus.NameHasOwner", "string:\(name)"]
        let pipe = Pipe()
        probe.standardOutput = pipe
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        return output.contains("boolean true")
    }

    public func stop() {
        let names = lock.withLock { Array(processes.keys) }
        for name in names where name != "dbus-daemon" { stopProcess(name) }
        stopProcess("dbus-daemon")
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    // MARK: Processes

    private func launch(_ name: String, _ path: String, _ arguments: [String], output: URL? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DBUS_SESSION_BUS_ADDRESS"] = address
        process.environment = environment
        if let output {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        lock.withLock { processes[name] = process }
    }

    private func stopProcess(_ name: String) {
        guard let process = lock.withLock({ processes.removeValue(forKey: name) }) else { return }
        if process.isRunning {
            // SIGKILL: test runners may block SIGTERM in the signal mask children inherit.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private func waitFor(_ what: String, timeout: Double = 15, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw SandboxError.notReady("\(what) did not come up within \(Int(timeout)) s") }
            usleep(50_000)
        }
    }
}
