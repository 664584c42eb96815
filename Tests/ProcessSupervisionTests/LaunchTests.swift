import Testing
@testable import ProcessSupervision
#if canImport(Glibc)
import Glibc
#endif

/// Starting programs from an open file, finding them through PATH.
@Suite struct LaunchTests {
    let runner = ProcessRunner()

    /// A file in a fresh directory, removed by the caller.
    func temporaryFile(_ text: String, mode: mode_t = 0o755) -> (directory: String, file: String) {
        var template = Array("/tmp/adhocd-launch-XXXXXX".utf8CString)
        let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        let file = "\(directory)/program"
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC, mode)
        _ = Array(text.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        chmod(file, mode)
        return (directory, file)
    }

    func remove(_ place: (directory: String, file: String)) {
        unlink(place.file)
        rmdir(place.directory)
    }

    @Test func aScriptRunsFromItsDescriptorEvenAfterItsPathIsReplaced() async throws {
        let place = temporaryFile("#!/bin/sh\necho \"checked $0 $1\"\n")
        defer { remove(place) }
        let file = try ProgramFile.open(place.file)
        #expect(file.interpreter == "/bin/sh" && file.isScript)
        // Swapped after the check: the descriptor still names the checked file.
        unlink(place.file)
        let other = open(place.file, O_WRONLY | O_CREAT, 0o755)
        _ = Array("#!/bin/sh\necho swapped\n".utf8).withUnsafeBytes { write(other, $0.baseAddress, $0.count) }
        close(other)
        var spec = ProcessSpec(argv: [place.file, "one"], timeout: .seconds(10))
        spec.executable = .file(file)
        let result = try await runner.run(spec)
        #expect(result.standardOutput.text == "checked \(ProgramFile.passedPath) one\n")
    }

    @Test func aBinaryRunsFromItsDescriptorUnderItsArgvZero() async throws {
        let shell = try ProgramFile.open("/bin/sh")
        #expect(!shell.isScript)
        var named = ProcessSpec(argv: ["my-shell", "-c", "echo $0"], timeout: .seconds(10))
        named.executable = .file(shell)
        #expect(try await runner.run(named).standardOutput.text == "my-shell\n")
        var listing = ProcessSpec(argv: ["ls", "/proc/self/fd"], timeout: .seconds(10))
        listing.executable = .file(try ProgramFile.open("/usr/bin/ls"))
        // No descriptor of the checked file is left in the program: 0, 1, 2 and the one ls reads the directory with.
        #expect(try await runner.run(listing).standardOutput.text == "0\n1\n2\n3\n")
    }

    @Test func aPassedFileIsDescriptorThree() async throws {
        let place = temporaryFile("#!/bin/sh\necho passed\n")
        defer { remove(place) }
        var spec = ProcessSpec(argv: ["/bin/sh", "-c", "exec \"$0\"", ProgramFile.passedPath], timeout: .seconds(10))
        spec.executable = .file(try ProgramFile.open("/bin/sh"))
        spec.passedFile = try ProgramFile.open(place.file)
        let result = try await runner.run(spec)
        #expect(result.standardOutput.text == "passed\n")
    }

    @Test func aMissingOrNonRegularProgramIsASpawnError() {
        #expect(throws: SpawnError(program: "/nonexistent", reason: "No such file or directory")) { try ProgramFile.open("/nonexistent") }
        #expect(throws: SpawnError(program: "/tmp", reason: "Permission denied")) { try ProgramFile.open("/tmp") }
    }

    @Test func searchesPathLikeAShell() {
        #expect(ProgramSearch.resolve("sh", path: "/nonexistent:/usr/bin:/bin") == "/usr/bin/sh")
        #expect(ProgramSearch.resolve("./relative/x", path: "/usr/bin") == "./relative/x")
        #expect(ProgramSearch.resolve("no-such-program-here", path: "/usr/bin:/bin") == nil)
        // Directories and files that are not executable are skipped.
        #expect(ProgramSearch.resolve("passwd", path: "/etc:/usr/bin") == "/usr/bin/passwd")
        #expect(ProgramSearch.resolve("", path: "/usr/bin") == nil)
    }
}

@Suite struct DeadlineTests {
    @Test func pollTimeoutsRoundUpAndPickTheEarliest() {
        let now = ContinuousClock.now
        #expect(Deadline.pollTimeout(until: [], now: now) == -1)
        #expect(Deadline.pollTimeout(until: [.after(.microseconds(1), from: now)], now: now) == 1)
        #expect(Deadline.pollTimeout(until: [.after(.seconds(2), from: now), .after(.milliseconds(1500), from: now)], now: now) == 1500)
        #expect(Deadline.pollTimeout(until: [.after(.seconds(-1), from: now)], now: now) == 0)
        #expect(Deadline.after(.seconds(1), from: now).remaining(at: now + .seconds(5)) == .zero)
        #expect(Deadline.after(.seconds(1), from: now).hasPassed(at: now + .seconds(1)))
    }

    @Test func aRaceReturnsTheAnswerOrNilAtTheDeadline() async {
        #expect(await Deadline.after(.seconds(10)).race { 42 } == 42)
        let start = ContinuousClock.now
        // Deaf to cancellation, like a thread stuck in statvfs: the race does not wait for it.
        let stuck: Int? = await Deadline.after(.milliseconds(100)).race {
            await OffLoopThread.run { usleep(3_000_000); return 1 } ?? 0
        }
        #expect(stuck == nil)
        #expect(ContinuousClock.now - start < .seconds(2.5))
    }

    @Test func offLoopWorkReturnsItsResult() async {
        #expect(await OffLoopThread.run { pthread_self() } != pthread_self())
    }
}
