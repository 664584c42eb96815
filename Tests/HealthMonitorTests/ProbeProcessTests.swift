import Foundation
import Testing
@testable import HealthMonitor

/// The probe command runner against real programs.
@Suite struct ProbeProcessTests {
    /// A shell script in a fresh temp directory, removed after `body`.
    func withScript<T>(_ text: String, _ body: (String, URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adhocd-probe-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("probe.sh")
        try ("#!/bin/sh\n" + text).write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return try await body(script.path, directory)
    }

    @Test func exitStatusAndFirstLine() async throws {
        let result = try await ProbeProcess.run(["/bin/sh", "-c", "echo '  backup 3 h old  '; echo second; exit 1"], timeout: .seconds(10))
        #expect(result == ProbeProcessResult(termination: .exited(1), firstLine: "backup 3 h old"))
        let quiet = try await ProbeProcess.run(["true"], timeout: .seconds(10))
        #expect(quiet == ProbeProcessResult(termination: .exited(0), firstLine: ""))
    }

    @Test func noShellAndArgumentsStayWhole() async throws {
        let result = try await ProbeProcess.run(["/bin/echo", "a b; exit 2", "$HOME"], timeout: .seconds(10))
        #expect(result == ProbeProcessResult(termination: .exited(0), firstLine: "a b; exit 2 $HOME"))
    }

    @Test func theDaemonsEnvironmentStaysWithTheDaemon() async throws {
        setenv("ADHOCD_TEST_SECRET", "hunter2", 1)
        defer { unsetenv("ADHOCD_TEST_SECRET") }
        let result = try await ProbeProcess.run(["/bin/sh", "-c", "env | grep -v '^PWD=\\|^SHLVL=\\|^_=' | sort | tr '\\n' ' '"], timeout: .seconds(10))
        #expect(result.firstLine.hasPrefix("LANG="))
        #expect(result.firstLine.contains("PATH="))
        #expect(!result.firstLine.contains("hunter2"))
        #expect(result.firstLine.split(separator: " ").count == 2)
    }

    @Test func aLongLineIsCutAndChattyOutputDrained() async throws {
        let result = try await ProbeProcess.run(["/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\\\0' x; echo; exit 2"], timeout: .seconds(20))
        #expect(result.termination == .exited(2))
        #expect(result.firstLine.count == ProbeProcess.lineLimit)
    }

    @Test func aHangingProbeIsKilledWithItsWholeGroup() async throws {
        try await withScript("sleep 300 &\necho $! > \"$(dirname \"$0\")/child\"\necho started\nsleep 300\n") { script, directory in
            let start = ContinuousClock.now
            let result = try await ProbeProcess.run([script], timeout: .milliseconds(500))
            #expect(result == ProbeProcessResult(termination: .timedOut, firstLine: "started"))
            #expect(ContinuousClock.now - start < .seconds(5))
            let child = try #require(Int32(try String(contentsOf: directory.appendingPathComponent("child"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            try await expectGone(child)
        }
    }

    @Test func leftoversOfAFinishedProbeAreKilledToo() async throws {
        // The background child keeps stdout open; the probe's answer must not wait for it.
        try await withScript("sleep 300 &\necho $! > \"$(dirname \"$0\")/child\"\necho fine\nexit 0\n") { script, directory in
            let start = ContinuousClock.now
            let result = try await ProbeProcess.run([script], timeout: .seconds(10))
            #expect(result == ProbeProcessResult(termination: .exited(0), firstLine: "fine"))
            #expect(ContinuousClock.now - start < .seconds(5))
            let child = try #require(Int32(try String(contentsOf: directory.appendingPathComponent("child"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            try await expectGone(child)
        }
    }

    @Test func missingProgramsAndSignalsAreFailures() async throws {
        await #expect(throws: ProbeProcessError.spawnFailed(program: "/nonexistent/check", reason: "No such file or directory")) {
            try await ProbeProcess.run(["/nonexistent/check"], timeout: .seconds(5))
        }
        await #expect(throws: ProbeProcessError.emptyCommand) { try await ProbeProcess.run([], timeout: .seconds(5)) }
        // A name found nowhere in PATH is not taken relative to the working directory.
        await #expect(throws: ProbeProcessError.spawnFailed(program: "no-such-probe-anywhere", reason: "No such file or directory")) {
            try await ProbeProcess.run(["no-such-probe-anywhere"], timeout: .seconds(5))
        }
        let killed = try await ProbeProcess.run(["/bin/sh", "-c", "kill -TERM $$"], timeout: .seconds(5))
        #expect(killed.termination == .signaled(SIGTERM))

        let probe = CommandProbe(arguments: ["/bin/sh", "-c", "echo disk almost full; exit 1"])
        #expect(probe.kind == .command("sh"))
        #expect(await probe.read(within: .seconds(5)) == .reading(.command(exitStatus: 1, line: "disk almost full")))
        #expect(await CommandProbe(arguments: ["/bin/sleep", "5"]).read(within: .milliseconds(200)) == .timedOut)
        #expect(await CommandProbe(arguments: ["/bin/sh", "-c", "kill -KILL $$"]).read(within: .seconds(5)) == .failed("killed by signal 9"))
    }

    /// The process is gone (or a zombie of someone else's, which cannot happen here: it was ours).
    func expectGone(_ pid: Int32) async throws {
        for _ in 0..<100 {
            if kill(pid, 0) != 0 { return }
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            if state == "Z" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("process \(pid) is still running")
        kill(pid, SIGKILL)
    }
}
