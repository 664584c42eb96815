import Testing
@testable import ProcessSupervision
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ProcessRunnerTests {
    let runner = ProcessRunner()

    func spec(_ argv: [String], timeout: Duration = .seconds(10), grace: Duration = .seconds(1), limit: Int = 64 * 1024) -> ProcessSpec {
        ProcessSpec(argv: argv, environment: ["PATH": "/usr/bin:/bin"], timeout: timeout, killGrace: grace, outputLimit: limit)
    }

    @Test func capturesOutputAndExitStatus() async throws {
        let result = try await runner.run(spec(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"]))
        #expect(result.ending == .exited(3))
        #expect(result.standardOutput.text == "out\n")
        #expect(result.standardError.text == "err\n")
        #expect(!result.timedOut && !result.cancelled && !result.succeeded)
    }

    @Test func reportsASignalAndAnExitStatusAsWaitWouldHave() async throws {
        let killed = try await runner.run(spec(["/bin/sh", "-c", "kill -KILL $$"]))
        #expect(killed.ending == .signalled(SIGKILL))
        let big = try await runner.run(spec(["/bin/sh", "-c", "exit 255"]))
        #expect(big.ending == .exited(255))
        #expect(!killed.strayProcessesStopped && !big.strayProcessesStopped)
    }

    @Test func passesEachArgumentUnchangedAndOnlyTheGivenEnvironment() async throws {
        let hostile = ["; rm -rf /", "$(touch /tmp/adhocd-pwned)", "a b  c", "line\nbreak", "-rf", "ünïcødé 🚀", "", "`id`", "'\"\\"]
        let result = try await runner.run(ProcessSpec(
            argv: ["/usr/bin/printf", "%s\\0"] + hostile, environment: ["ONLY": "this"], timeout: .seconds(5)))
        let arguments = result.standardOutput.text.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(arguments == hostile)
        let environment = try await runner.run(ProcessSpec(argv: ["/usr/bin/env"], environment: ["ONLY": "this"], timeout: .seconds(5)))
        #expect(environment.standardOutput.text == "ONLY=this\n")
    }

    @Test func standardInputIsEmptyAndSignalsAreDefault() async throws {
        // `cat` ends at once on /dev/null; no signal is ignored or blocked in the child although
        // the test process (like the daemon) ignores SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let result = try await runner.run(spec(["/bin/sh", "-c", "cat; grep -E '^Sig(Ign|Blk)' /proc/self/status"]))
        #expect(result.succeeded)
        #expect(result.standardOutput.text == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n")
    }

    @Test func theDaemonsDescriptorsStayBehind() async throws {
        let leaky = open("/dev/null", O_RDONLY)  // no O_CLOEXEC
        defer { close(leaky) }
        let result = try await runner.run(spec(["/usr/bin/ls", "/proc/self/fd"]))
        // 0, 1, 2, and the descriptor ls reads the directory with.
        #expect(result.standardOutput.text == "0\n1\n2\n3\n")
        #expect(leaky > 2)
    }

    @Test func standardErrorCanBeDiscarded() async throws {
        var request = spec(["/bin/sh", "-c", "echo out; echo err >&2"])
        request.standardError = .discard
        let result = try await runner.run(request)
        #expect(result.standardOutput.text == "out\n")
        #expect(result.standardError.totalCount == 0)
    }

    @Test func aTimeoutStopsTheWholeProcessGroup() async throws {
        let marker = "/tmp/adhocd-runner-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // The shell starts a grandchild that ignores SIGTERM and would write the marker later.
        let script = "trap '' TERM; (trap '' TERM; sleep 3; touch \(marker)) & sleep 30"
        let result = try await runner.run(spec(["/bin/sh", "-c", script], timeout: .milliseconds(300), grace: .milliseconds(300)))
        #expect(result.timedOut)
        #expect(result.ending == .signalled(SIGKILL))
        #expect(result.duration < .seconds(3))
        try await Task.sleep(for: .seconds(3.5))
        #expect(access(marker, F_OK) != 0, "a grandchild survived the timeout")
    }

    @Test func processesLeftBehindAreStopped() async throws {
        let marker = "/tmp/adhocd-runner-stray-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let result = try await runner.run(spec(["/bin/sh", "-c", "(sleep 2; touch \(marker)) >/dev/null 2>&1 & echo started"]))
        #expect(result.succeeded)
        #expect(result.strayProcessesStopped)
        #expect(result.standardOutput.text == "started\n")
        try await Task.sleep(for: .seconds(2.5))
        #expect(access(marker, F_OK) != 0, "a process left behind survived")
    }

    @Test func cancellingTheTaskStopsTheRun() async throws {
        let task = Task { try await runner.run(spec(["/bin/sleep", "30"])) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = try await task.value
        #expect(result.cancelled)
        #expect(result.ending == .signalled(SIGTERM))
    }

    @Test func capsOutputAndNotesHowMuchWasWritten() async throws {
        let result = try await runner.run(spec(["/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' a; head -c 100000 /dev/zero | tr '\\0' b >&2"], limit: 1000))
        #expect(result.standardOutput.bytes.count == 1000)
        #expect(result.standardOutput.totalCount == 200_000)
        #expect(result.standardOutput.isTruncated)
        #expect(result.standardError.bytes.count == 1000)
        #expect(result.standardError.totalCount == 100_000)
    }

    @Test func reportsAProgramThatCannotStart() async {
        await #expect(throws: SpawnError.self) { try await runner.run(spec(["/nonexistent/program"])) }
    }

    @Test func runsInTheWorkingDirectory() async throws {
        var request = spec(["/bin/pwd"])
        request.workingDirectory = "/usr"
        #expect(try await runner.run(request).standardOutput.text == "/usr\n")
    }
}
