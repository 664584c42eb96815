import ProcessSupervision
import Synchronization
import Commands
import Logging
import Testing
import XMPPCore
@testable import CommandFiles
#if canImport(Glibc)
import Glibc
#endif

/// A commands.d command driven directly, as the responder would, with a real audit log.
@Suite struct FileCommandTests {
    let directory = TemporaryDirectory()
    let runtime: CommandFilesRuntime

    init() {
        var settings = CommandFilesSettings(directory: directory.path, auditLog: "\(directory.path)/audit.jsonl")
        settings.killGrace = .milliseconds(300)
        runtime = CommandFilesRuntime(settings: settings, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        runtime.apply(settings)
    }

    func command(_ toml: String, node: String = "test") throws -> FileCommand {
        FileCommand(definition: try Fixture.definition(toml, node: node), runtime: runtime)
    }

    func context(_ session: String = "s1") -> CommandContext {
        CommandContext(requester: Fixture.alice, node: "test", sessionID: session)
    }

    var auditLines: [String] { directory.read("audit.jsonl").split(separator: "\n").map(String.init) }

    /// One line per attempt: the `started` line of each run is checked and left out.
    var outcomeLines: [String] {
        let lines = auditLines
        let started = lines.filter { $0.contains(#""event":"started""#) }
        for line in started {
            let run = line.firstMatch(of: /"run":"([0-9a-f]+)"/)?.output.1 ?? "none"
            let finished = lines.filter { $0.contains(#""event":"finished","run":"\#(run)""#) }
            #expect(finished.count == 1, "run \(run) has no finished line")
            #expect(lines.firstIndex(of: line) ?? 0 < lines.firstIndex(of: finished.first ?? "") ?? 0)
            #expect(line.contains(#""decision":"allowed"}"#))
        }
        return lines.filter { !$0.contains(#""event":"started""#) }
    }

    func stage(_ step: CommandStep) -> CommandStage? {
        if case .ask(let stage) = step { return stage }
        return nil
    }

    func outcome(_ step: CommandStep) -> CommandOutcome? {
        if case .complete(let outcome) = step { return outcome }
        return nil
    }

    @Test func aParameterlessCommandRunsAtOnceAndIsAudited() async throws {
        defer { directory.remove() }
        let step = try await command("exec = [\"/bin/echo\", \"hello\"]").start(context())
        #expect(outcome(step) == .note("hello"))
        #expect(auditLines.count == 2)
        #expect(outcomeLines.count == 1)
        #expect(outcomeLines.first?.contains(#""requester":"alice@example.org/phone","node":"test","parameters":{},"decision":"allowed","outcome":"exited","exit_status":0"#) == true)
    }

    @Test func anAdHocRunSaysHowItWasAskedForAndHowItsAnswerWasDelivered() async throws {
        defer { directory.remove() }
        let echo = try command("exec = [\"/bin/echo\", \"hello\"]")
        let step = try await RequestOrigin.$current.withValue(RequestOrigin(.adHoc, requestID: "req-7")) {
            try await echo.start(context())
        }
        #expect(outcome(step) == .note("hello"))
        let started = try #require(auditLines.first)
        #expect(started.contains(#""node":"test","via":"ad-hoc","request":"req-7","parameters""#))
        let run = try #require(started.firstMatch(of: /"run":"([0-9a-f]+)"/)?.output.1)
        // Another request's report, or another requester's, is not this run's.
        #expect(runtime.awaitsDelivery(to: Fixture.alice, requestID: "req-7"))
        #expect(!runtime.awaitsDelivery(to: Fixture.alice, requestID: "req-8"))
        #expect(try !runtime.awaitsDelivery(to: JID("mallory@example.org/x"), requestID: "req-7"))
        runtime.answerDelivered(to: Fixture.alice, requestID: "req-8", delivery: "live", acknowledged: true)
        runtime.answerDelivered(to: try JID("mallory@example.org/x"), requestID: "req-7", delivery: "live", acknowledged: true)
        #expect(auditLines.count == 2)
        runtime.answerDelivered(to: Fixture.alice, requestID: "req-7", delivery: "after resumption", acknowledged: true)
        #expect(auditLines.count == 3)
        #expect(auditLines.last?.contains(#""event":"delivered","run":"\#(run)","requester":"alice@example.org/phone","node":"test""#) == true)
        #expect(auditLines.last?.hasSuffix(#""decision":"allowed","delivery":"after resumption","acknowledged":true}"#) == true)
        // Reported once only.
        #expect(!runtime.awaitsDelivery(to: Fixture.alice, requestID: "req-7"))
        runtime.answerDelivered(to: Fixture.alice, requestID: "req-7", delivery: "live", acknowledged: true)
        #expect(auditLines.count == 3)
    }

    @Test func aChatRunSaysSoAndAwaitsNoDeliveryReport() async throws {
        defer { directory.remove() }
        let echo = try command("exec = [\"/bin/echo\", \"hello\"]")
        _ = try await RequestOrigin.$current.withValue(RequestOrigin(.chat, requestID: "m1")) { try await echo.start(context()) }
        #expect(auditLines.first?.contains(#""via":"chat","request":"m1""#) == true)
        #expect(runtime.deliveries.count == 0)
    }

    @Test func runsAwaitingADeliveryReportAreBounded() {
        let deliveries = AwaitedDeliveries(capacity: 3)
        for index in 0..<5 {
            deliveries.expect(AwaitedDelivery(requester: Fixture.alice, requestID: "r\(index)", run: "\(index)", node: "n"))
        }
        #expect(deliveries.count == 3)
        #expect(deliveries.take(requester: Fixture.alice, requestID: "r1") == nil)
        #expect(deliveries.take(requester: Fixture.alice, requestID: "r4")?.run == "4")
        #expect(deliveries.count == 2)
    }

    /// A report that never came (lost, say, by an event subscriber that fell behind) must not
    /// let a much later answer to a reused request id (clients counting ids per connection)
    /// take the old run's place in the audit.
    @Test func runsAwaitingADeliveryReportAreForgottenAfterAWhile() {
        let clock = Mutex(ContinuousClock.now)
        let deliveries = AwaitedDeliveries(maximumWait: .seconds(900), now: { clock.withLock { $0 } })
        deliveries.expect(AwaitedDelivery(requester: Fixture.alice, requestID: "1", run: "old", node: "n"))
        clock.withLock { $0 += .seconds(600) }
        deliveries.expect(AwaitedDelivery(requester: Fixture.alice, requestID: "2", run: "recent", node: "n"))
        clock.withLock { $0 += .seconds(301) }
        #expect(deliveries.take(requester: Fixture.alice, requestID: "1") == nil)
        #expect(deliveries.take(requester: Fixture.alice, requestID: "2")?.run == "recent")
        #expect(deliveries.count == 0)
    }

    @Test func aFormFromBeforeAReloadRunsNothing() async throws {
        defer { directory.remove() }
        let toml = "exec = [\"/bin/echo\", \"{unit}\"]\n[[param]]\nvar = \"unit\"\n"
        let before = try command(toml)
        let form = try #require(stage(try await before.start(context())))
        // The file was edited (say, its options narrowed) and reloaded while the form was open.
        var edited = try Fixture.definition(toml + "regex = \"^[a-z]+$\"\n")
        edited.stamp.modified += 1
        let after = FileCommand(definition: edited, runtime: runtime)
        let step = try await after.submit(stage: form.id, values: SubmittedValues(["unit": ["Not-Allowed!"]]), action: .complete, context: context())
        guard case .failure(let text)? = outcome(step) else { Issue.record("expected a failure"); return }
        #expect(text.contains("changed while the form was open; nothing was run"))
        #expect(auditLines.last?.contains(#""decision":"not-run""#) == true)
    }

    @Test func hostileValuesReachTheProgramAsSingleUnchangedArguments() async throws {
        defer { directory.remove() }
        let marker = "\(directory.path)/pwned"
        let echo = try command("""
        exec = ["/usr/bin/printf", "%s\\\\0", "{value}", "{many}"]
        [[param]]
        var = "value"
        [[param]]
        var = "many"
        type = "text-multi"
        """)
        let form = try #require(stage(try await echo.start(context())))
        #expect(form.id.hasPrefix("parameters@") && form.isFinal)
        #expect(form.form.fields.map(\.variable) == ["value", "many"])
        for value in PlaceholderTests.hostileValues + ["$(touch \(marker))", "; touch \(marker)"] {
            let step = try await echo.submit(stage: form.id, values: SubmittedValues(["value": [value], "many": ["x y", "-z"]]), action: .complete, context: context())
            guard case .note(let text, _)? = outcome(step) else {
                Issue.record("expected a note for \(value)")
                continue
            }
            // printf ends each argument with a NUL: exactly these three arguments arrived, unchanged.
            #expect(text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init) == [value, "x y", "-z", ""])
        }
        #expect(access(marker, F_OK) != 0)
    }

    @Test func confirmationCanBeDeclinedOrAccepted() async throws {
        defer { directory.remove() }
        let restart = try command("""
        exec = ["/bin/echo", "restarting", "{unit}"]
        confirm = "Restart {unit} with {password}?"
        [[param]]
        var = "unit"
        type = "list-single"
        options = ["nginx", "postgresql"]
        [[param]]
        var = "password"
        type = "text-private"
        """)
        let parameters = try #require(stage(try await restart.start(context("a"))))
        #expect(!parameters.isFinal)
        let values = SubmittedValues(["unit": ["nginx"], "password": ["hunter2"]])
        let confirm = try #require(stage(try await restart.submit(stage: parameters.id, values: values, action: .next, context: context("a"))))
        #expect(confirm.isFinal)
        #expect(confirm.form.instructions == ["Restart nginx with (hidden)?"])
        #expect(confirm.form.fields.map(\.type) == [.boolean])
        let declined = try await restart.submit(stage: confirm.id, values: SubmittedValues(["confirm": ["false"]]), action: .complete, context: context("a"))
        #expect(outcome(declined) == .note("Nothing was run."))

        _ = try await restart.submit(stage: parameters.id, values: values, action: .next, context: context("b"))
        let accepted = try await restart.submit(stage: "confirm", values: SubmittedValues(["confirm": ["true"]]), action: .complete, context: context("b"))
        #expect(outcome(accepted) == .note("restarting nginx"))
        // A confirmation answered once cannot be replayed.
        let replay = try await restart.submit(stage: "confirm", values: SubmittedValues(["confirm": ["true"]]), action: .complete, context: context("b"))
        #expect(outcome(replay) == .failure("This confirmation is no longer valid; start the command again."))

        let lines = outcomeLines
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""parameters":{"unit":"nginx","password":"<redacted>"},"decision":"declined""#))
        #expect(lines[1].contains(#""decision":"allowed","outcome":"exited","exit_status":0"#))
        #expect(!auditLines.joined().contains("hunter2"))
    }

    @Test func aConfirmationForAChangedDefinitionRunsNothing() async throws {
        defer { directory.remove() }
        let old = try command("exec = [\"/bin/echo\", \"old\"]\nconfirm = \"Sure?\"")
        _ = try await old.start(context())
        let new = try command("exec = [\"/bin/echo\", \"new\"]\nconfirm = \"Sure?\"")
        let step = try await new.submit(stage: "confirm", values: SubmittedValues(["confirm": ["true"]]), action: .complete, context: context())
        guard case .failure(let text)? = outcome(step) else {
            Issue.record("expected a failure")
            return
        }
        #expect(text.contains("changed while you were confirming"))
    }

    @Test func failuresTimeoutsAndLimitsAreAnsweredAndAudited() async throws {
        defer { directory.remove() }
        let failing = try command("exec = [\"/bin/sh\", \"-c\", \"echo broken >&2; exit 2\"]\nname = \"Failing\"")
        #expect(outcome(try await failing.start(context())) == .failure("Failing failed with exit status 2.\nLast lines of its error output:\nbroken"))

        let slow = try command("exec = [\"/bin/sleep\", \"30\"]\nname = \"Slow\"\ntimeout = \"300ms\"")
        async let first = slow.start(context("1"))
        try await Task.sleep(for: .milliseconds(100))
        let busy = try await slow.start(context("2"))
        guard case .failure(let busyText)? = outcome(busy) else {
            Issue.record("expected busy")
            return
        }
        #expect(busyText.contains("1 run is of this command already going"))
        guard case .failure(let timeoutText)? = outcome(try await first) else {
            Issue.record("expected a timeout")
            return
        }
        #expect(timeoutText == "Stopped after 0.3 s: Slow ran past its time limit.")

        let missing = try command("exec = [\"/nonexistent/program\"]\nname = \"Missing\"")
        #expect(outcome(try await missing.start(context())) == .failure("Missing could not be started: No such file or directory."))

        let lines = outcomeLines
        #expect(lines.count == 4)
        #expect(lines[0].contains(#""outcome":"exited","exit_status":2"#))
        #expect(lines[1].contains(#""decision":"not-run","reason":"busy: 1 run is of this command already going""#))
        #expect(lines[2].contains(#""outcome":"timed-out","exit_status":null,"signal":15"#))
        #expect(lines[3].contains(#""outcome":"failed-to-start""#))
    }

    @Test func nothingRunsWhileTheAuditLogCannotBeWritten() async throws {
        defer { directory.remove() }
        var settings = runtime.settings
        settings.auditLog = "\(directory.path)/no/such/dir/audit.jsonl"
        #expect(runtime.apply(settings) != nil)
        let marker = "\(directory.path)/ran"
        let step = try await command("exec = [\"/usr/bin/touch\", \"\(marker)\"]").start(context())
        guard case .failure(let text)? = outcome(step) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(text.hasPrefix("Not run: the audit log"))
        #expect(access(marker, F_OK) != 0)
    }

    @Test func nothingRunsUnauditedWhenTheStartedLineCannotBeWritten() async throws {
        defer { directory.remove() }
        var settings = runtime.settings
        // Opens fine; every write fails with ENOSPC.
        settings.auditLog = "/dev/full"
        #expect(runtime.apply(settings) == nil)
        let marker = "\(directory.path)/ran"
        let step = try await command("exec = [\"/usr/bin/touch\", \"\(marker)\"]").start(context())
        #expect(outcome(step) == .failure("Not run: audit log unavailable: cannot write to /dev/full (No space left on device)."))
        #expect(access(marker, F_OK) != 0)
    }

    /// Loads `name` from a commands.d of its own, as the daemon would.
    func loaded(_ name: String, in commands: TemporaryDirectory) throws -> FileCommand {
        let report = CommandDirectory(path: commands.path, reader: Fixture.reader).load()
        let definition = try #require(report.definitions.first { $0.file == "\(commands.path)/\(name)" }, "\(report.problems)")
        return FileCommand(definition: definition, runtime: runtime)
    }

    @Test func aScriptRunsFromTheCheckedDescriptorAndASwappedOneDoesNot() async throws {
        defer { directory.remove() }
        let commands = TemporaryDirectory()
        defer { commands.remove() }
        let script = commands.write("show.sh", "#!/bin/sh\necho \"$0\"\n", mode: 0o755)
        let show = try loaded("show.sh", in: commands)
        // The interpreter reads the descriptor adhocd checked, not the path.
        #expect(outcome(try await show.start(context())) == .note(ProgramFile.passedPath))

        // Replaced after loading (a new file renamed over it): refused until a reload.
        let marker = "\(directory.path)/ran"
        TemporaryDirectory.writeFile(script + ".new", "#!/bin/sh\ntouch \(marker)\n", mode: 0o755)
        rename(script + ".new", script)
        guard case .failure(let text)? = outcome(try await show.start(context())) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(text == "Not run: \(script) changed after it was loaded; reload adhocd to run the new version.")
        #expect(access(marker, F_OK) != 0)
        #expect(outcomeLines.last?.contains(#""decision":"not-run","reason":"unsafe program: \#(script) changed after it was loaded"#) == true)
        // After a reload it is the checked program again.
        _ = try await loaded("show.sh", in: commands).start(context())
        #expect(access(marker, F_OK) == 0)
    }

    @Test func aProgramWhoseDirectoryBecameWritableByOthersIsNotRun() async throws {
        defer { directory.remove() }
        let commands = TemporaryDirectory()
        defer { commands.remove() }
        let tools = TemporaryDirectory()
        defer { tools.remove() }
        let marker = "\(directory.path)/ran"
        tools.write("tool", "#!/bin/sh\ntouch \(marker)\n", mode: 0o755)
        commands.write("tool.toml", "exec = [\"\(tools.path)/tool\"]\n")
        let tool = try loaded("tool.toml", in: commands)
        chmod(tools.path, 0o777)
        defer { chmod(tools.path, 0o755) }
        guard case .failure(let text)? = outcome(try await tool.start(context())) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(text.hasPrefix("Not run: \(tools.path), a directory on the way to \(tools.path)/tool: the directory is writable by others"))
        #expect(access(marker, F_OK) != 0)
        #expect(outcomeLines.last?.contains(#""decision":"not-run","reason":"unsafe program: "#) == true)
    }

    @Test func aBinaryRunsFromItsDescriptorUnderItsOwnNameWithNoExtraDescriptor() async throws {
        defer { directory.remove() }
        let name = try await command("exec = [\"/bin/sh\", \"-c\", \"echo $0\"]").start(context())
        #expect(outcome(name) == .note("/bin/sh"))
        let descriptors = try await command("exec = [\"/usr/bin/ls\", \"/proc/self/fd\"]").start(context())
        // 0, 1, 2 and the one ls lists the directory with.
        #expect(outcome(descriptors) == .note("0\n1\n2\n3"))
    }

    @Test func refusalsOfFileCommandsAreAudited() throws {
        defer { directory.remove() }
        let secret = try command("exec = [\"/bin/true\"]\n[[param]]\nvar = \"pin\"\ntype = \"text-private\"")
        runtime.recordRefusal(CommandRefusal(requester: Fixture.alice, command: secret, submitted: ["pin": ["1234"]], reason: "not allowed by the command's rules"))
        #expect(auditLines.count == 1)
        #expect(auditLines.first?.contains(#""parameters":{"pin":"<redacted>"},"decision":"refused","reason":"not allowed by the command's rules""#) == true)
    }

    @Test func runsAsAnotherUserThroughSetpriv() throws {
        defer { directory.remove() }
        let definition = try Fixture.definition("exec = [\"/usr/bin/id\", \"-u\"]\nuser = \"www-data\"")
        let spec = try FileCommand(definition: definition, runtime: runtime).processSpec(SubmittedValues(), context: context(), settings: runtime.settings)
        #expect(spec.argv == ["/usr/bin/setpriv", "--reuid=33", "--regid=33", "--init-groups", "--", "/usr/bin/id", "-u"])
        #expect(spec.environment["HOME"] == "/var/www")
    }

    @Test(.enabled(if: geteuid() == 0 && access(RunAsUser.setprivPath, X_OK) == 0 && RunAsUser.lookUp("nobody") != nil))
    func reallyRunsAsThatUserWhenRoot() async throws {
        defer { directory.remove() }
        let nobody = try #require(RunAsUser.lookUp("nobody"))
        let reader = DefinitionReader(isRoot: true)
        let definition = try reader.read(toml: "exec = [\"/usr/bin/id\", \"-u\"]\nuser = \"nobody\"", origin: Fixture.origin())
        let step = try await FileCommand(definition: definition, runtime: runtime).start(context())
        #expect(outcome(step) == .note("\(nobody.uid)"))
        // A script too: setpriv runs the checked file from descriptor 3.
        let commands = TemporaryDirectory()
        defer { commands.remove() }
        commands.write("who.sh", "#!/bin/sh\n# adhocd:begin\n# user = \"nobody\"\n# adhocd:end\nid -u\n", mode: 0o755)
        let report = CommandDirectory(path: commands.path, reader: reader).load()
        let script = try #require(report.definitions.first, "\(report.problems)")
        #expect(outcome(try await FileCommand(definition: script, runtime: runtime).start(context())) == .note("\(nobody.uid)"))
    }
}

@Suite struct PendingConfirmationsTests {
    @Test func entriesNobodyAnsweredAreDroppedAfterTheirLifetime() throws {
        let clock = Mutex(ContinuousClock.now)
        let pending = PendingConfirmations(now: { clock.withLock { $0 } })
        let definition = try Fixture.definition("exec = [\"/bin/true\"]")
        pending.store(.init(definition: definition, values: ["pin": ["1234"]]), session: "dropped-by-the-responder")
        clock.withLock { $0 += PendingConfirmations.lifetime + .seconds(1) }
        pending.store(.init(definition: definition, values: [:]), session: "fresh")
        #expect(pending.count == 1)
        #expect(pending.take(session: "dropped-by-the-responder") == nil)
        #expect(pending.take(session: "fresh") != nil)
    }
}

@Suite struct RefusalAuditTests {
    @Test func aFloodOfRefusalsWritesAFewShortLinesAndCountsTheRest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let settings = CommandFilesSettings(directory: directory.path, auditLog: "\(directory.path)/audit.jsonl")
        let runtime = CommandFilesRuntime(settings: settings, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        runtime.apply(settings)
        let definition = try Fixture.definition("exec = [\"/bin/true\"]\n[[param]]\nvar = \"value\"")
        let command = FileCommand(definition: definition, runtime: runtime)
        let stranger = try JID("stranger@example.net/x")
        let big = String(repeating: "A", count: 200_000)
        for _ in 0..<100 {
            runtime.recordRefusal(CommandRefusal(requester: stranger, command: command, submitted: ["value": [big]], reason: "not allowed by the command's rules"))
        }
        let lines = directory.read("audit.jsonl").split(separator: "\n")
        #expect(lines.count == runtime.refusals.burst)
        #expect(lines.allSatisfy { $0.utf8.count <= AuditEntry.lineLimit })
        #expect(lines.allSatisfy { $0.contains(#""decision":"refused""#) })
    }
}
