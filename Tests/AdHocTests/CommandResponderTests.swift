import Synchronization
import Logging
import Testing
import XMPPCore
@testable import AdHoc

@Suite struct CommandResponderTests {
    let clock = ManualClock()
    let groups = MutableGroups()
    let registry = CommandRegistry()
    let responder: CommandResponder

    init() {
        let clock = self.clock
        responder = CommandResponder(
            account: Fixture.bot, registry: registry, directory: groups,
            limits: SessionLimits(defaultIdleTimeout: .seconds(600), perAccount: 2, total: 3),
            now: { clock.now },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        groups.set(Fixture.alice, ["coloc"])
        registry.setCommands([
            GreetCommand(policy: try! AccessPolicy(allow: ["group:coloc"], deny: [])),
            InstantCommand(node: "admin", name: "Admin only", policy: .ownAccountOnly, outcome: { .note("ok") }),
        ], provider: "test")
    }

    // MARK: Helpers

    func request(_ node: String, session: String? = nil, action: String? = nil, form: DataForm? = nil) -> XMLElement {
        var command = XMLElement("command", namespace: CommandNamespace.commands, ["node": node, "sessionid": session, "action": action])
        if let form { command.append(form.element) }
        return command
    }

    func submit(_ fields: [String: [String]]) -> DataForm {
        DataForm(.submit, fields: fields.map { FormField($0.key, type: nil, values: $0.value) })
    }

    func send(_ payload: XMLElement, from: JID = Fixture.alice) async throws(StanzaError) -> XMLElement {
        try await responder.handle(payload, from: from)
    }

    func expectError(_ payload: XMLElement, from: JID = Fixture.alice, _ condition: StanzaError.Condition, _ application: String? = nil) async {
        do {
            let answer = try await send(payload, from: from)
            Issue.record("expected \(condition), got \(answer.serialized())")
        } catch {
            #expect(error.condition == condition)
            #expect(error.applicationCondition?.name == application)
            if application != nil { #expect(error.applicationCondition?.namespace == CommandNamespace.commands) }
        }
    }

    // MARK: Tests

    @Test func runsATwoStageCommand() async throws {
        let first = try await send(request("greet"))
        #expect(first[attribute: "status"] == "executing")
        let session = try #require(first[attribute: "sessionid"])
        #expect(session.count == 32)
        let actions = try #require(first.child("actions"))
        #expect(actions[attribute: "execute"] == "next")
        #expect(actions.elements.map(\.name) == ["next"])
        let form = try DataForm(element: try #require(first.child("x", namespace: DataForm.namespace)))
        #expect(form.kind == .form)
        #expect(form.field("name")?.isRequired == true)

        let second = try await send(request("greet", session: session, action: "next", form: submit(["name": ["Ada"]])))
        #expect(second[attribute: "sessionid"] == session)
        #expect(second[attribute: "status"] == "executing")
        #expect(second.child("actions")?[attribute: "execute"] == "complete")
        #expect(second.child("actions")?.elements.map(\.name) == ["prev", "complete"])
        #expect(second.childText("note") == "Greeting Ada")

        let done = try await send(request("greet", session: session, action: "complete", form: submit(["loud": ["1"]])))
        #expect(done[attribute: "status"] == "completed")
        #expect(done[attribute: "sessionid"] == session)
        #expect(done.children("note").count == 1)
        #expect(done.childText("note") == "HELLO, ADA!")
        #expect(done.child("actions") == nil)
        #expect(responder.openSessionCount == 0)
    }

    @Test func isLenientWithActions() async throws {
        // No action = execute; execute on a non-final stage = next; next on the final stage = complete.
        let first = try await send(request("greet"))
        let session = try #require(first[attribute: "sessionid"])
        let second = try await send(request("greet", session: session, action: "execute", form: submit(["name": ["Bo"], "extra": ["ignored"]])))
        #expect(second[attribute: "status"] == "executing")
        let done = try await send(request("greet", session: session, action: "next", form: submit(["loud": ["0"]])))
        #expect(done[attribute: "status"] == "completed")
        #expect(done.childText("note") == "Hello, Bo!")
    }

    @Test func acceptsAFinalStageWithoutAForm() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        _ = try await send(request("greet", session: session, form: submit(["name": ["Cy"]])))
        // The boolean keeps the default we offered.
        let done = try await send(request("greet", session: session))
        #expect(done.childText("note") == "Hello, Cy!")
    }

    @Test func refusesAMissingRequiredFieldButKeepsTheSession() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        await expectError(request("greet", session: session, action: "next", form: submit(["name": [""]])), .badRequest, "bad-payload")
        await expectError(request("greet", session: session, action: "next"), .badRequest, "bad-payload")
        let second = try await send(request("greet", session: session, action: "next", form: submit(["name": ["Di"]])))
        #expect(second[attribute: "status"] == "executing")
    }

    @Test func goesBackWithPreviousAnswers() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        await expectError(request("greet", session: session, action: "prev"), .badRequest, "bad-action")
        _ = try await send(request("greet", session: session, action: "next", form: submit(["name": ["Ed"]])))
        let back = try await send(request("greet", session: session, action: "prev"))
        #expect(back[attribute: "status"] == "executing")
        #expect(back.child("actions")?[attribute: "execute"] == "next")
        let form = try DataForm(element: try #require(back.child("x", namespace: DataForm.namespace)))
        #expect(form.field("name")?.values == ["Ed"])
    }

    @Test func completeOnANonFinalStageIsABadAction() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        await expectError(request("greet", session: session, action: "complete", form: submit(["name": ["F"]])), .badRequest, "bad-action")
    }

    @Test func aLoopStageOffersNextAndComplete() async throws {
        registry.setCommands([CounterLoopCommand(policy: try AccessPolicy(allow: ["group:coloc"], deny: []))], provider: "loop")
        let first = try await send(request("counter"))
        let session = try #require(first[attribute: "sessionid"])
        let actions = try #require(first.child("actions"))
        #expect(actions[attribute: "execute"] == "next")
        #expect(actions.elements.map(\.name) == ["next", "complete"])
        let again = try await send(request("counter", session: session, action: "execute", form: submit([:])))
        #expect(again[attribute: "status"] == "executing")
        let done = try await send(request("counter", session: session, action: "complete", form: submit([:])))
        #expect(done[attribute: "status"] == "completed")
        #expect(done.child("note")?.text == "counted 1")
    }

    @Test func cancelsAtAnyStage() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        let canceled = try await send(request("greet", session: session, action: "cancel"))
        #expect(canceled[attribute: "status"] == "canceled")
        #expect(responder.openSessionCount == 0)
        await expectError(request("greet", session: session, action: "next"), .badRequest, "bad-sessionid")

        // A form of type cancel cancels too.
        let other = try #require(try await send(request("greet"))[attribute: "sessionid"])
        _ = try await send(request("greet", session: other, form: submit(["name": ["G"]])))
        let viaForm = try await send(request("greet", session: other, form: DataForm(.cancel)))
        #expect(viaForm[attribute: "status"] == "canceled")
    }

    @Test func sessionsBelongToTheFullJIDThatStartedThem() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        groups.set(Fixture.aliceMobile, ["coloc"])
        await expectError(request("greet", session: session, action: "next", form: submit(["name": ["H"]])), from: Fixture.aliceMobile, .badRequest, "bad-sessionid")
        // The owner can still continue.
        let next = try await send(request("greet", session: session, action: "next", form: submit(["name": ["H"]])))
        #expect(next[attribute: "status"] == "executing")
    }

    @Test func unknownSessionIDsAreRefused() async {
        await expectError(request("greet", session: "0123456789abcdef0123456789abcdef", action: "next"), .badRequest, "bad-sessionid")
    }

    @Test func idleSessionsExpire() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        clock.advance(by: .seconds(59))
        _ = try await send(request("greet", session: session, action: "next", form: submit(["name": ["I"]])))
        // The idle timer restarted at that stage; the command's timeout is 60 s.
        clock.advance(by: .seconds(61))
        await expectError(request("greet", session: session, action: "complete"), .notAllowed, "session-expired")
        #expect(responder.openSessionCount == 0)
    }

    @Test func capsOpenSessionsPerAccountAndOverall() async throws {
        _ = try await send(request("greet"))
        _ = try await send(request("greet", action: nil), from: Fixture.aliceMobile.withResource("tablet"))
        await expectError(request("greet"), from: Fixture.aliceMobile, .resourceConstraint)
        groups.set(try JID("carol@example.org"), ["coloc"])
        _ = try await send(request("greet"), from: try JID("carol@example.org/a"))
        groups.set(try JID("dan@example.org"), ["coloc"])
        await expectError(request("greet"), from: try JID("dan@example.org/a"), .resourceConstraint)
        // Expiry frees the slots.
        clock.advance(by: .seconds(61))
        _ = try await send(request("greet"), from: try JID("dan@example.org/a"))
    }

    @Test func rechecksPermissionAtEveryStage() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        groups.set(Fixture.alice, [])
        await expectError(request("greet", session: session, action: "next", form: submit(["name": ["J"]])), .forbidden)
        groups.set(Fixture.alice, ["coloc"])
        await expectError(request("greet", session: session, action: "next", form: submit(["name": ["J"]])), .badRequest, "bad-sessionid")
    }

    @Test func aRefusedStageEndsOnlyTheRequestersOwnSessionAndTellsItsCommand() async throws {
        let cancels = CancelCounter()
        registry.setCommands([CancelCountingCommand(policy: try AccessPolicy(allow: ["group:coloc"], deny: []), cancels: cancels)], provider: "count")
        // Someone else, not allowed, presenting alice's session id: refused, alice's session intact.
        let session = try #require(try await send(request("counting"))[attribute: "sessionid"])
        await expectError(request("counting", session: session, action: "complete", form: submit([:])), from: Fixture.eve, .forbidden)
        #expect(cancels.value == 0)
        // Alice's rights withdrawn: her session ends and the command hears of it.
        groups.set(Fixture.alice, [])
        await expectError(request("counting", session: session, action: "complete", form: submit([:])), .forbidden)
        #expect(cancels.value == 1)
    }

    @Test func refusesWhatItCannotDo() async {
        await expectError(request("nope"), .itemNotFound)
        await expectError(request("admin"), .forbidden)
        await expectError(request("greet", action: "jump"), .badRequest, "malformed-action")
        await expectError(XMLElement("command", namespace: CommandNamespace.commands), .badRequest)
        await expectError(XMLElement("command", namespace: "urn:wrong", ["node": "greet"]), .badRequest)
        var badForm = request("greet")
        badForm.append(XMLElement("x", namespace: DataForm.namespace, ["type": "weird"]))
        await expectError(badForm, .badRequest, "bad-payload")
        await expectError(request("greet", action: "prev"), .badRequest, "bad-action")
    }

    @Test func tellsTheRefusalHookOfEveryForbiddenRequest() async throws {
        let refusals = Mutex<[CommandRefusal]>([])
        let audited = CommandResponder(
            account: Fixture.bot, registry: registry, directory: groups,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onRefusal: { refusal in refusals.withLock { $0.append(refusal) } })
        do {
            _ = try await audited.handle(request("admin", form: submit(["target": ["/"]])), from: Fixture.eve)
            Issue.record("expected forbidden")
        } catch {
            #expect(error.condition == .forbidden)
        }
        _ = try await audited.handle(request("admin"), from: Fixture.botPhone)
        let seen = refusals.withLock { $0 }
        #expect(seen.count == 1)
        #expect(seen.first?.requester == Fixture.eve)
        #expect(seen.first?.command.node == "admin")
        #expect(seen.first?.submitted == ["target": ["/"]])
    }

    @Test func ownAccountRunsAdminCommands() async throws {
        let done = try await send(request("admin"), from: Fixture.botPhone)
        #expect(done[attribute: "status"] == "completed")
        #expect(done.childText("note") == "ok")
    }

    @Test func failingAndSlowCommandsStillAnswer() async throws {
        registry.setCommands([
            InstantCommand(node: "fails", name: "Fails", policy: .ownAccountOnly, outcome: { throw Boom() }),
            InstantCommand(node: "slow", name: "Slow", policy: .ownAccountOnly, outcome: {
                try await Task.sleep(for: .seconds(30))
                return .note("late")
            }, stageTimeout: .milliseconds(100)),
            InstantCommand(node: "stubborn", name: "Ignores cancellation", policy: .ownAccountOnly, outcome: {
                try? await Task.sleep(for: .seconds(2))
                return .note("late")
            }, stageTimeout: .milliseconds(100)),
            InstantCommand(node: "empty", name: "Says nothing", policy: .ownAccountOnly, outcome: { .note("") }),
            InstantCommand(node: "table", name: "Table", policy: .ownAccountOnly, outcome: {
                .form(DataForm(.form, reported: [FormField("k", label: "Key")], items: [[FormField("k", values: ["v"])]]))
            }),
        ], provider: "more")
        let failed = try await send(request("fails"), from: Fixture.botPhone)
        #expect(failed[attribute: "status"] == "completed")
        #expect(failed.child("note")?[attribute: "type"] == "error")
        #expect(failed.childText("note") == "The command failed: disk on fire")

        let clock = ContinuousClock()
        let start = clock.now
        let slow = try await send(request("slow"), from: Fixture.botPhone)
        #expect(slow.child("note")?[attribute: "type"] == "error")
        let stubborn = try await send(request("stubborn"), from: Fixture.botPhone)
        #expect(stubborn.child("note")?[attribute: "type"] == "error")
        #expect(clock.now - start < .seconds(1))

        let empty = try await send(request("empty"), from: Fixture.botPhone)
        #expect(empty.childText("note") == "Done.")

        let table = try await send(request("table"), from: Fixture.botPhone)
        let form = try DataForm(element: try #require(table.child("x", namespace: DataForm.namespace)))
        #expect(form.kind == .result)
        #expect(table.elements.count == 1)
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
        let start = clock.now
        // A lost connection or shutdown cancels the task serving the request.
        let request = Task { [responder] in try await responder.handle(self.request("long"), from: Fixture.botPhone) }
        try await Task.sleep(for: .milliseconds(50))
        request.cancel()
        _ = try? await request.value
        #expect(clock.now - start < .seconds(5))
        for _ in 0..<100 where !stageSawCancellation.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(stageSawCancellation.withLock { $0 })
    }

    @Test func discoListsOnlyPermittedCommands() throws {
        let own = try JID("bot@example.org/adhocd")
        #expect(responder.discoItems(for: Fixture.alice, ownJID: own).map(\.node) == ["greet"])
        #expect(responder.discoItems(for: Fixture.alice, ownJID: own).allSatisfy { $0.jid == own })
        #expect(responder.discoItems(for: Fixture.botPhone, ownJID: own).map(\.node) == ["admin"])
        #expect(responder.discoItems(for: Fixture.eve, ownJID: own).isEmpty)

        let info = try #require(try responder.discoInfo(node: "greet", requester: Fixture.alice))
        #expect(info.identities == [DiscoIdentity(category: "automation", type: "command-node", name: "Greet someone")])
        #expect(info.features.contains(CommandNamespace.commands))
        #expect(throws: StanzaError(.forbidden)) { try responder.discoInfo(node: "greet", requester: Fixture.eve) }
        #expect(try responder.discoInfo(node: "not-a-command", requester: Fixture.alice) == nil)

        #expect(responder.admitsAnyCommand(Fixture.alice))
        #expect(!responder.admitsAnyCommand(Fixture.eve))
    }

    @Test func aRosterChangeChangesTheListAtOnce() throws {
        let own = try JID("bot@example.org/adhocd")
        groups.set(Fixture.eve, ["coloc"])
        #expect(responder.discoItems(for: Fixture.eve, ownJID: own).map(\.node) == ["greet"])
        groups.set(Fixture.eve, [])
        #expect(responder.discoItems(for: Fixture.eve, ownJID: own).isEmpty)
    }

    @Test func providersReplaceTheirOwnCommands() {
        registry.setCommands([InstantCommand(node: "x", name: "X", policy: .ownAccountOnly, outcome: { .note("") })], provider: "other")
        #expect(registry.commands.map(\.node) == ["greet", "admin", "x"])
        registry.setCommands([], provider: "test")
        #expect(registry.commands.map(\.node) == ["x"])
        registry.removeProvider("other")
        #expect(registry.commands.isEmpty)
    }
}
