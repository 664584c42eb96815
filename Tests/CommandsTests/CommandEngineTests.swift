import CommandTestKit
import Logging
import Synchronization
import Testing
import XMPPCore
@testable import Commands

@Suite struct CommandEngineTests {
    let fixture = EngineFixture()
    var engine: CommandEngine { fixture.engine }
    var clock: ManualClock { fixture.clock }
    var groups: MutableGroups { fixture.groups }
    var registry: CommandRegistry { fixture.registry }
    var refusals: Recorder<CommandRefusal> { fixture.refusals }
    static let coloc = EngineFixture.coloc

    func start(_ node: String, _ requester: JID = Fixture.alice, ownership: SessionOwnership = .fullJID) async throws -> CommandAnswer {
        try await engine.start(node, for: requester, ownership: ownership)
    }

    func submit(_ session: String, _ values: [String: [String]], from requester: JID = Fixture.alice, action: SubmitAction? = nil) async throws -> CommandAnswer {
        try await engine.submit(.values(SubmittedValues(values)), to: session, from: requester, action: action)
    }

    func failure(_ body: () async throws -> CommandAnswer) async -> CommandFailure? {
        do {
            let answer = try await body()
            Issue.record("expected a failure, got \(answer.state)")
            return nil
        } catch let failure as CommandFailure {
            return failure
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    // MARK: Stages

    @Test func runsATwoStageCommand() async throws {
        let first = try await start("greet")
        #expect(first.sessionID.count == 32)
        #expect(first.stage?.id == "name")
        #expect(!first.canGoBack)
        let second = try await submit(first.sessionID, ["name": ["Ada"]])
        #expect(second.sessionID == first.sessionID)
        #expect(second.stage?.note == "Greeting Ada")
        #expect(second.canGoBack)
        let done = try await submit(first.sessionID, ["loud": ["1"]])
        #expect(done.state == .completed(.note("HELLO, ADA!")))
        #expect(engine.openSessionCount == 0)
    }

    @Test func theDefaultActionGoesOnAndCompleteNeedsTheLastStage() async throws {
        let session = try await start("greet").sessionID
        #expect(await failure { try await submit(session, ["name": ["Bo"]], action: .complete) } == .notTheLastStage)
        _ = try await submit(session, ["name": ["Bo"]])
        // `next` on the last stage completes.
        let done = try await submit(session, [:], action: .next)
        #expect(done.state == .completed(.note("Hello, Bo!")))
    }

    @Test func aRefusedSubmissionShowsTheStageAgainWithTheValuesAndRunsNothing() async throws {
        let session = try await start("tune").sessionID
        let refused = try await submit(session, ["level": ["abc"], "mode": ["loud"], "code": ["ABCD"]])
        guard case .rejected(let stage, let problems) = refused.state else {
            Issue.record("expected rejected, got \(refused.state)")
            return
        }
        #expect(stage.id == "tune")
        #expect(stage.form.field("level")?.values == ["abc"])
        #expect(stage.form.field("mode")?.values == ["loud"])
        #expect(stage.form.field("code")?.values == ["ABCD"])
        #expect(problems.map(\.variable) == ["level", "code"])
        #expect(problems[0].kind == .wrongDatatype("abc", .integer))
        #expect(problems[0].description == "Level (level): 'abc' is not a valid whole number")
        #expect(problems[1].kind == .noPatternMatch("ABCD", pattern: "[a-z]{3}"))

        let outOfRange = try await submit(session, ["level": ["11"]])
        guard case .rejected(_, let problems) = outOfRange.state else { Issue.record("expected rejected"); return }
        #expect(problems.map(\.kind) == [.outOfRange("11", min: "0", max: "10")])
        #expect(problems[0].description == "Level (level): 11 must be at least 0 and at most 10")

        // The session is still there; a corrected submission completes it.
        #expect(engine.openSessionCount == 1)
        let done = try await submit(session, ["level": ["7"], "code": ["abc"]])
        #expect(done.state == .completed(.note("level 7 mode soft code abc")))
    }

    @Test func checksOneFieldBeforeTheStageIsSubmitted() async throws {
        let session = try await start("tune").sessionID
        let check = { (values: [String], field: String) throws -> Result<[String], FormValidationError> in
            try engine.validate(values, field: field, session: session, from: Fixture.alice)
        }
        #expect(try check(["abc"], "level") == .failure(FormValidationError(problems: [
            FieldProblem(variable: "level", label: "Level", kind: .wrongDatatype("abc", .integer)),
        ])))
        func kinds(_ result: Result<[String], FormValidationError>) -> [FieldProblem.Kind] {
            if case .failure(let error) = result { error.problems.map(\.kind) } else { [] }
        }
        #expect(kinds(try check(["11"], "level")) == [.outOfRange("11", min: "0", max: "10")])
        #expect(try check([" 7 "], "level") == .success(["7"]))
        #expect(kinds(try check(["fast"], "mode")) == [.notAnOption("fast")])
        #expect(kinds(try check(["x"], "nope")) == [.unknownField])
        #expect(throws: CommandFailure.unknownSession) { try engine.validate(["7"], field: "level", session: session, from: Fixture.eve) }
    }

    @Test func goesBackWithPreviousAnswers() async throws {
        let session = try await start("greet").sessionID
        #expect(await failure { try await engine.back(session, from: Fixture.alice) } == .noPreviousStage)
        _ = try await submit(session, ["name": ["Ed"]])
        let back = try await engine.back(session, from: Fixture.alice)
        #expect(back.stage?.id == "name")
        #expect(back.stage?.form.field("name")?.values == ["Ed"])
        #expect(!back.canGoBack)
        let snapshot = try engine.session(session, for: Fixture.alice)
        #expect(snapshot.stage.id == "name" && snapshot.node == "greet")
    }

    @Test func aSessionThatEndedSaysHow() async throws {
        let cancels = CancelCounter()
        registry.setCommands([CancelCountingCommand(policy: Self.coloc, cancels: cancels)], provider: "count")
        let canceled = try await start("counting").sessionID
        #expect(try await engine.cancel(canceled, from: Fixture.alice).state == .canceled)
        #expect(cancels.value == 1)
        #expect(await failure { try await submit(canceled, [:]) } == .sessionEnded(SessionEnd(node: "counting", reason: .canceled)))

        let completed = try await start("counting").sessionID
        _ = try await submit(completed, [:])
        #expect(await failure { try await submit(completed, [:]) } == .sessionEnded(SessionEnd(node: "counting", reason: .completed)))
        // Only to its owner: anyone else hears of no such session.
        #expect(await failure { try await submit(completed, [:], from: Fixture.eve) } == .unknownSession)

        let idle = try await start("greet").sessionID
        clock.advance(by: .seconds(61))
        let expired = await failure { try await submit(idle, ["name": ["I"]]) }
        #expect(expired == .sessionEnded(SessionEnd(node: "greet", reason: .expired(after: .seconds(60)))))
        #expect(expired?.description == "the command 'greet' expired after 60 s without an answer; start it again")
        #expect(await failure { try await submit("0123456789abcdef0123456789abcdef", [:]) } == .unknownSession)
    }

    @Test func expiryTellsTheCommand() async throws {
        let cancels = CancelCounter()
        registry.setCommands([CancelCountingCommand(policy: Self.coloc, cancels: cancels)], provider: "count")
        _ = try await start("counting")
        clock.advance(by: .seconds(601))
        await engine.sweep()
        #expect(cancels.value == 1)
        #expect(engine.openSessionCount == 0)
    }

    /// Requests skip the expiry scan until the earliest deadline: a later, shorter-lived
    /// session must still move that deadline forward.
    @Test func eachSessionExpiresOnItsOwnDeadline() async throws {
        let cancels = CancelCounter()
        registry.setCommands([CancelCountingCommand(policy: Self.coloc, cancels: cancels)], provider: "count")
        _ = try await start("counting")
        clock.advance(by: .seconds(30))
        let greeting = try await start("greet").sessionID
        clock.advance(by: .seconds(61))
        #expect(await failure { try await submit(greeting, ["name": ["I"]]) }
            == .sessionEnded(SessionEnd(node: "greet", reason: .expired(after: .seconds(60)))))
        #expect(engine.openSessionCount == 1)
        clock.advance(by: .seconds(510))
        await engine.sweep()
        #expect(cancels.value == 1)
        #expect(engine.openSessionCount == 0)
    }

    // MARK: Ownership and limits

    @Test func theFrontEndChoosesWhoOwnsASession() async throws {
        groups.set(Fixture.aliceMobile, ["coloc"])
        let bound = try await start("greet").sessionID
        #expect(await failure { try await submit(bound, ["name": ["H"]], from: Fixture.aliceMobile) } == .unknownSession)
        #expect(try await submit(bound, ["name": ["H"]]).stage != nil)

        // A chat dialogue: any resource of the account goes on, another account does not.
        let dialogue = try await start("greet", ownership: .account).sessionID
        #expect(try await submit(dialogue, ["name": ["K"]], from: Fixture.aliceMobile).stage?.note == "Greeting K")
        groups.set(Fixture.eve, ["coloc"])
        #expect(await failure { try await submit(dialogue, [:], from: Fixture.eve) } == .unknownSession)
        #expect(throws: CommandFailure.unknownSession) { try engine.session(dialogue, for: Fixture.eve) }
    }

    @Test func capsOpenSessionsPerAccountAndOverall() async throws {
        _ = try await start("greet")
        _ = try await start("greet", try Fixture.aliceMobile.withResource("tablet"))
        #expect(await failure { try await start("greet", Fixture.aliceMobile) } == .tooManySessions(.perAccount(2)))
        let carol = try JID("carol@example.org/a")
        groups.set(carol, ["coloc"])
        _ = try await start("greet", carol)
        let dan = try JID("dan@example.org/a")
        groups.set(dan, ["coloc"])
        #expect(await failure { try await start("greet", dan) } == .tooManySessions(.overall(3)))
        clock.advance(by: .seconds(61))
        _ = try await start("greet", dan)
    }

    @Test func simultaneousStartsOpenAtMostTheLimit() async throws {
        let slow = InstantCommand(node: "slow-form", name: "Slow form", policy: Self.coloc, outcome: { .note("unused") })
        registry.setCommands([SlowFirstStage(base: slow)], provider: "slow")
        let limited = CommandEngine(
            account: Fixture.bot, registry: registry, directory: groups, limits: SessionLimits(perAccount: 5, total: 100),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let outcomes = await withTaskGroup(of: Result<CommandAnswer, CommandFailure>.self) { group in
            for index in 0..<40 {
                group.addTask {
                    do throws(CommandFailure) {
                        return .success(try await limited.start("slow-form", for: try! Fixture.alice.withResource("r\(index)"), ownership: .fullJID))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<CommandAnswer, CommandFailure>] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let opened = outcomes.filter { if case .success = $0 { true } else { false } }
        #expect(opened.count == 5)
        #expect(outcomes.filter { $0 == .failure(.tooManySessions(.perAccount(5))) }.count == 35)
        #expect(limited.openSessionCount == 5)
    }

    @Test func aLoopPressedTenThousandTimesHoldsConstantMemory() async throws {
        registry.setCommands([CounterLoopCommand(policy: Self.coloc)], provider: "loop")
        let session = try await start("counter").sessionID
        var depths: [Int] = []
        for press in 1...10_000 {
            _ = try await submit(session, [:], action: .next)
            if press == 100 || press == 10_000 { depths.append(engine.sessions.historyDepth(of: session) ?? -1) }
        }
        #expect(depths == [CommandSession.historyLimit, CommandSession.historyLimit])
        // prev still works within what is kept.
        #expect(try await engine.back(session, from: Fixture.alice).stage?.id == "count:9999")
        let done = try await submit(session, [:], action: .complete)
        #expect(done.state == .completed(.note("counted 9999")))
    }

    @Test func aStageStillRunningRefusesASecondRequest() async throws {
        let gate = Gate()
        registry.setCommands([GatedCommand(policy: Self.coloc, gate: gate)], provider: "gated")
        let session = try await start("gated").sessionID
        let running = Task { try await submit(session, [:]) }
        await gate.waitUntilEntered()
        #expect(await failure { try await submit(session, [:]) } == .sessionBusy)
        gate.open()
        #expect(try await running.value.state == .completed(.note("through")))
    }

    // MARK: Permissions

    @Test func aCommandTheRequesterMayNotRunIsLikeNoCommand() async throws {
        let unknown = await failure { try await engine.start("no-such", for: Fixture.eve, ownership: .fullJID, submitted: ["a": ["1"]]) }
        let forbidden = await failure { try await engine.start("admin", for: Fixture.eve, ownership: .fullJID, submitted: ["target": ["/"]]) }
        #expect(unknown == .notFound)
        #expect(forbidden == unknown)
        #expect(engine.command("admin", for: Fixture.eve) == nil)
        #expect(engine.command("admin", for: Fixture.botPhone)?.node == "admin")
        // Only the real command reaches the refusal hook (an audit line), with the values sent.
        let seen = refusals.all
        #expect(seen.map(\.command.node) == ["admin"])
        #expect(seen.first?.requester == Fixture.eve)
        #expect(seen.first?.submitted == ["target": ["/"]])
        #expect(try await start("admin", Fixture.botPhone).state == .completed(.note("ok")))
    }

    @Test func withdrawnRightsEndTheRequestersOwnSessionAndTellItsCommand() async throws {
        let cancels = CancelCounter()
        registry.setCommands([CancelCountingCommand(policy: Self.coloc, cancels: cancels)], provider: "count")
        let session = try await start("counting").sessionID
        // Someone else presenting alice's id: no such session for them, alice's intact.
        #expect(await failure { try await submit(session, [:], from: Fixture.eve) } == .unknownSession)
        #expect(await failure {
            try await engine.submit(.values(SubmittedValues()), to: session, from: Fixture.eve, node: "counting")
        } == .notFound)
        #expect(cancels.value == 0)
        groups.set(Fixture.alice, [])
        #expect(await failure { try await submit(session, [:]) } == .notFound)
        #expect(cancels.value == 1)
        groups.set(Fixture.alice, ["coloc"])
        #expect(await failure { try await submit(session, [:]) } == .sessionEnded(SessionEnd(node: "counting", reason: .withdrawn)))
    }

    @Test func aCommandThatGoesAwayEndsItsSessions() async throws {
        let session = try await start("greet").sessionID
        registry.setCommands([], provider: "test")
        #expect(await failure { try await submit(session, ["name": ["x"]]) } == .sessionEnded(SessionEnd(node: "greet", reason: .withdrawn)))
    }

    @Test func listsWhatEachRequesterMayRun() {
        #expect(engine.available(for: Fixture.alice).map(\.node) == ["greet", "tune"])
        #expect(engine.available(for: Fixture.botPhone).map(\.node) == ["admin"])
        #expect(engine.available(for: Fixture.eve).isEmpty)
        #expect(engine.admitsAnyCommand(Fixture.alice))
        #expect(!engine.admitsAnyCommand(Fixture.eve))
        groups.set(Fixture.eve, ["coloc"])
        #expect(engine.available(for: Fixture.eve).map(\.node) == ["greet", "tune"])
    }

    // MARK: Faults

    @Test func failingAndSlowCommandsStillAnswer() async throws {
        registry.setCommands([
            InstantCommand(node: "fails", name: "Fails", policy: .ownAccountOnly, outcome: { throw Boom() }),
            InstantCommand(node: "slow", name: "Slow", policy: .ownAccountOnly, outcome: {
                try await Task.sleep(for: .seconds(30))
                return .note("late")
            }, stageTimeout: .milliseconds(100)),
            InstantCommand(node: "stubborn", name: "Ignores cancellation", policy: .ownAccountOnly, outcome: {
                try? await Task.sleep(for: .seconds(20))
                return .note("late")
            }, stageTimeout: .milliseconds(100)),
        ], provider: "more")
        #expect(try await start("fails", Fixture.botPhone).state == .completed(.failure("The command failed: disk on fire")))
        let clock = ContinuousClock()
        let begin = clock.now
        let stopped = CommandAnswer.State.completed(.failure("The command did not finish within 100 ms and was stopped."))
        #expect(try await start("slow", Fixture.botPhone).state == stopped)
        #expect(try await start("stubborn", Fixture.botPhone).state == stopped)
        // Well under what the stages would take, however busy the machine running the tests.
        #expect(clock.now - begin < .seconds(10))
        #expect(engine.openSessionCount == 0)
    }

    @Test func cancellingTheRequestCancelsTheRunningStage() async throws {
        let stageSawCancellation = Mutex(false)
        registry.setCommands([
            InstantCommand(node: "long", name: "Long", policy: .ownAccountOnly, outcome: {
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch {
                    stageSawCancellation.withLock { $0 = true }
                }
                return .note("late")
            }, stageTimeout: .seconds(60)),
        ], provider: "long")
        let clock = ContinuousClock()
        let begin = clock.now
        // Shutdown cancels the task serving the request (a lost connection no longer does).
        let request = Task { [engine] in try await engine.start("long", for: Fixture.botPhone, ownership: .fullJID) }
        try await Task.sleep(for: .milliseconds(50))
        request.cancel()
        // The requester still hears why, not a bare CancellationError.
        let answer = try await request.value
        #expect(answer.state == .completed(.failure("Stopped: adhocd is shutting down. Run the command again when it is back.")))
        // Well under the stage's 30 s, however busy the machine running the tests.
        #expect(clock.now - begin < .seconds(15))
        for _ in 0..<100 where !stageSawCancellation.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(stageSawCancellation.withLock { $0 })
    }

    @Test func providersReplaceTheirOwnCommands() {
        registry.setCommands([InstantCommand(node: "x", name: "X", policy: .ownAccountOnly, outcome: { .note("") })], provider: "other")
        #expect(registry.commands.map(\.node) == ["greet", "tune", "admin", "x"])
        registry.setCommands([], provider: "test")
        #expect(registry.commands.map(\.node) == ["x"])
        registry.removeProvider("other")
        #expect(registry.commands.isEmpty)
    }
}

/// Takes 50 ms to show its first form, so starts overlap.
private struct SlowFirstStage: Command {
    let base: InstantCommand
    var node: String { base.node }
    var name: String { base.name }
    var policy: AccessPolicy { base.policy }

    func start(_ context: CommandContext) async throws -> CommandStep {
        try await Task.sleep(for: .milliseconds(50))
        return .ask(CommandStage(id: "only", form: DataForm(.form), isFinal: true))
    }
}

/// Lets a test hold a stage while it runs.
private final class Gate: Sendable {
    private let state = Mutex<(entered: Bool, open: Bool)>((false, false))

    func enter() async {
        state.withLock { $0.entered = true }
        while !state.withLock({ $0.open }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    func waitUntilEntered() async {
        while !state.withLock({ $0.entered }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    func open() { state.withLock { $0.open = true } }
}

private struct GatedCommand: Command {
    let node = "gated"
    let name = "Gated"
    let policy: AccessPolicy
    let gate: Gate

    func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "only", form: DataForm(.form), isFinal: true))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        await gate.enter()
        return .complete(.note("through"))
    }
}
