import CommandTestKit
import Commands
import Logging
import Synchronization
import Testing
import XMPPCore
@testable import AdHoc

/// The XEP-0050 framing over the core: what goes on the wire for each answer and failure.
@Suite struct CommandResponderTests {
    let fixture = EngineFixture()
    let responder: CommandResponder
    var engine: CommandEngine { fixture.engine }
    var clock: ManualClock { fixture.clock }
    var groups: MutableGroups { fixture.groups }
    var registry: CommandRegistry { fixture.registry }
    var refusals: Recorder<CommandRefusal> { fixture.refusals }
    static let coloc = EngineFixture.coloc

    init() {
        responder = CommandResponder(engine: fixture.engine)
    }

    // MARK: Helpers

    func request(_ node: String, session: String? = nil, action: String? = nil, form: DataForm? = nil) -> XMLElement {
        var command = XMLElement("command", namespace: CommandNamespace.commands, ["node": node, "sessionid": session, "action": action])
        if let form { command.append(form.element) }
        return command
    }

    func submit(_ fields: [String: [String]], kind: DataForm.Kind = .submit) -> DataForm {
        DataForm(kind, fields: fields.map { FormField($0.key, type: nil, values: $0.value) })
    }

    func send(_ payload: XMLElement, from: JID = Fixture.alice) async throws(StanzaError) -> XMLElement {
        try await responder.handle(payload, from: from)
    }

    @discardableResult
    func expectError(_ payload: XMLElement, from: JID = Fixture.alice, _ condition: StanzaError.Condition, _ application: String? = nil) async -> StanzaError? {
        do {
            let answer = try await send(payload, from: from)
            Issue.record("expected \(condition), got \(answer.serialized())")
            return nil
        } catch {
            #expect(error.condition == condition)
            #expect(error.applicationCondition?.name == application)
            if application != nil { #expect(error.applicationCondition?.namespace == CommandNamespace.commands) }
            return error
        }
    }

    func form(of answer: XMLElement) throws -> DataForm {
        try DataForm(element: try #require(answer.child("x", namespace: DataForm.namespace)))
    }

    // MARK: Stages on the wire

    @Test func runsATwoStageCommand() async throws {
        let first = try await send(request("greet"))
        #expect(first[attribute: "status"] == "executing")
        let session = try #require(first[attribute: "sessionid"])
        let actions = try #require(first.child("actions"))
        #expect(actions[attribute: "execute"] == "next")
        #expect(actions.elements.map(\.name) == ["next"])
        #expect(try form(of: first).kind == .form)
        #expect(try form(of: first).field("name")?.isRequired == true)

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
        #expect(engine.openSessionCount == 0)
    }

    @Test func isLenientWithActions() async throws {
        // No action = execute; execute on a non-final stage = next; next on the final stage = complete.
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        let second = try await send(request("greet", session: session, action: "execute", form: submit(["name": ["Bo"], "extra": ["ignored"]])))
        #expect(second[attribute: "status"] == "executing")
        let done = try await send(request("greet", session: session, action: "next", form: submit(["loud": ["0"]])))
        #expect(done.childText("note") == "Hello, Bo!")
    }

    @Test func acceptsAFinalStageWithoutAForm() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        _ = try await send(request("greet", session: session, form: submit(["name": ["Cy"]])))
        // The boolean keeps the default we offered.
        let done = try await send(request("greet", session: session))
        #expect(done.childText("note") == "Hello, Cy!")
    }

    @Test func aMistypedValueAnswersTheSameStageWithAnErrorNoteAndTheValuesKept() async throws {
        let first = try await send(request("tune"))
        let session = try #require(first[attribute: "sessionid"])
        let again = try await send(request("tune", session: session, action: "complete", form: submit(["level": ["abc"], "mode": ["loud"]])))
        #expect(again[attribute: "status"] == "executing")
        #expect(again[attribute: "sessionid"] == session)
        #expect(again.child("actions")?.serialized() == first.child("actions")?.serialized())
        let note = try #require(again.child("note"))
        #expect(note[attribute: "type"] == "error")
        #expect(note.text == "Please correct this field:\nLevel (level): 'abc' is not a valid whole number")
        let shown = try form(of: again)
        #expect(shown.kind == .form)
        #expect(shown.field("level")?.values == ["abc"])
        #expect(shown.field("mode")?.values == ["loud"])
        #expect(shown.field("level")?.validation == FieldValidation(datatype: .integer, method: .range(min: "0", max: "10")))

        let twice = try await send(request("tune", session: session, action: "complete", form: submit(["level": ["11"], "code": ["12"]])))
        #expect(twice.childText("note") == "Please correct these fields:\nLevel (level): 11 must be at least 0 and at most 10\nCode (code): '12' does not match [a-z]{3}")

        // A required field left out entirely is a problem with a field too, not an IQ error.
        let missing = try await send(request("tune", session: session, action: "complete"))
        #expect(missing.childText("note") == "Please correct this field:\nLevel (level) is required")

        let done = try await send(request("tune", session: session, action: "complete", form: submit(["level": ["10"]])))
        #expect(done[attribute: "status"] == "completed")
        #expect(done.childText("note") == "level 10 mode soft code -")
    }

    @Test func aFormOfTypeCancelIsASubmission() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        let next = try await send(request("greet", session: session, form: submit(["name": ["G"]], kind: .cancel)))
        #expect(next[attribute: "status"] == "executing")
        #expect(next.childText("note") == "Greeting G")
        // Only the action cancels.
        let canceled = try await send(request("greet", session: session, action: "cancel", form: submit([:], kind: .cancel)))
        #expect(canceled[attribute: "status"] == "canceled")
    }

    @Test func goesBackWithPreviousAnswers() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        await expectError(request("greet", session: session, action: "prev"), .badRequest, "bad-action")
        _ = try await send(request("greet", session: session, action: "next", form: submit(["name": ["Ed"]])))
        let back = try await send(request("greet", session: session, action: "prev"))
        #expect(back[attribute: "status"] == "executing")
        #expect(back.child("actions")?[attribute: "execute"] == "next")
        #expect(back.child("actions")?.elements.map(\.name) == ["next"])
        #expect(try form(of: back).field("name")?.values == ["Ed"])
    }

    @Test func completeOnANonFinalStageIsABadAction() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        await expectError(request("greet", session: session, action: "complete", form: submit(["name": ["F"]])), .badRequest, "bad-action")
    }

    @Test func aLoopStageOffersNextAndComplete() async throws {
        registry.setCommands([CounterLoopCommand(policy: Self.coloc)], provider: "loop")
        let first = try await send(request("counter"))
        let session = try #require(first[attribute: "sessionid"])
        #expect(first.child("actions")?[attribute: "execute"] == "next")
        #expect(first.child("actions")?.elements.map(\.name) == ["next", "complete"])
        let again = try await send(request("counter", session: session, action: "execute", form: submit([:])))
        #expect(again.child("actions")?.elements.map(\.name) == ["prev", "next", "complete"])
        let done = try await send(request("counter", session: session, action: "complete", form: submit([:])))
        #expect(done.child("note")?.text == "counted 1")
    }

    // MARK: Sessions on the wire

    @Test func anEndedSessionIsExpiredAndAnUnknownOneIsABadSessionID() async throws {
        let canceled = try #require(try await send(request("greet"))[attribute: "sessionid"])
        #expect(try await send(request("greet", session: canceled, action: "cancel"))[attribute: "status"] == "canceled")
        await expectError(request("greet", session: canceled, action: "next"), .notAllowed, "session-expired")

        let completed = try #require(try await send(request("tune"))[attribute: "sessionid"])
        _ = try await send(request("tune", session: completed, form: submit(["level": ["1"]])))
        let error = await expectError(request("tune", session: completed, form: submit(["level": ["1"]])), .notAllowed, "session-expired")
        #expect(error?.text == "the command 'tune' is finished already; start it again")

        let idle = try #require(try await send(request("greet"))[attribute: "sessionid"])
        clock.advance(by: .seconds(61))
        await expectError(request("greet", session: idle, action: "next"), .notAllowed, "session-expired")

        await expectError(request("greet", session: "0123456789abcdef0123456789abcdef", action: "next"), .badRequest, "bad-sessionid")
        // A session of another command is no session of this one.
        let greet = try #require(try await send(request("greet"))[attribute: "sessionid"])
        await expectError(request("tune", session: greet), .badRequest, "bad-sessionid")
    }

    @Test func sessionsBelongToTheFullJIDThatStartedThem() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        groups.set(Fixture.aliceMobile, ["coloc"])
        await expectError(request("greet", session: session, action: "next", form: submit(["name": ["H"]])), from: Fixture.aliceMobile, .badRequest, "bad-sessionid")
        let next = try await send(request("greet", session: session, action: "next", form: submit(["name": ["H"]])))
        #expect(next[attribute: "status"] == "executing")
    }

    @Test func aSessionLimitIsAResourceConstraint() async throws {
        _ = try await send(request("greet"))
        _ = try await send(request("greet"), from: try Fixture.aliceMobile.withResource("tablet"))
        await expectError(request("greet"), from: Fixture.aliceMobile, .resourceConstraint)
    }

    // MARK: Strangers

    @Test func aNodeTheRequesterMayNotRunAnswersLikeNoNode() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        let unknown = await expectError(request("no-such-node"), from: Fixture.eve, .itemNotFound)
        for probe in [
            request("greet"), request("admin", form: submit(["target": ["/"]])), request("greet", action: "prev"), request("greet", action: "cancel"),
            request("greet", session: session, action: "next"), request("greet", session: session, action: "cancel"),
            request("greet", session: "0123456789abcdef0123456789abcdef"),
        ] {
            #expect(await expectError(probe, from: Fixture.eve, .itemNotFound) == unknown)
        }
        #expect(responder.discoInfo(node: "greet", requester: Fixture.eve) == nil)
        #expect(responder.discoInfo(node: "no-such-node", requester: Fixture.eve) == nil)
        // Alice's session is untouched; the refusals of real nodes were heard.
        #expect(try await send(request("greet", session: session, form: submit(["name": ["J"]])))[attribute: "status"] == "executing")
        let heard = refusals.all
        #expect(heard.count == 7)
        #expect(heard.first { $0.command.node == "admin" }?.submitted == ["target": ["/"]])
    }

    @Test func withdrawnRightsEndTheSessionLikeNoNode() async throws {
        let session = try #require(try await send(request("greet"))[attribute: "sessionid"])
        groups.set(Fixture.alice, [])
        await expectError(request("greet", session: session, action: "next", form: submit(["name": ["J"]])), .itemNotFound)
        groups.set(Fixture.alice, ["coloc"])
        await expectError(request("greet", session: session, action: "next", form: submit(["name": ["J"]])), .notAllowed, "session-expired")
    }

    @Test func refusesMalformedRequests() async {
        await expectError(request("greet", action: "jump"), .badRequest, "malformed-action")
        await expectError(XMLElement("command", namespace: CommandNamespace.commands), .badRequest)
        await expectError(XMLElement("command", namespace: "urn:wrong", ["node": "greet"]), .badRequest)
        var badForm = request("greet")
        badForm.append(XMLElement("x", namespace: DataForm.namespace, ["type": "weird"]))
        await expectError(badForm, .badRequest, "bad-payload")
        await expectError(request("greet", action: "prev"), .badRequest, "bad-action")
        // What a request names is echoed short.
        let long = await expectError(request("greet", action: String(repeating: "x", count: 100_000)), .badRequest, "malformed-action")
        #expect((long?.text?.utf8.count ?? 0) < 200)
    }

    @Test func ownAccountRunsAdminCommands() async throws {
        let done = try await send(request("admin"), from: Fixture.botPhone)
        #expect(done[attribute: "status"] == "completed")
        #expect(done.childText("note") == "ok")
    }

    @Test func outcomesHaveExactlyOnePayload() async throws {
        registry.setCommands([
            InstantCommand(node: "fails", name: "Fails", policy: .ownAccountOnly, outcome: { throw Boom() }),
            InstantCommand(node: "empty", name: "Says nothing", policy: .ownAccountOnly, outcome: { .note("") }),
            InstantCommand(node: "table", name: "Table", policy: .ownAccountOnly, outcome: {
                .form(DataForm(.form, reported: [FormField("k", label: "Key")], items: [[FormField("k", values: ["v"])]]))
            }),
        ], provider: "more")
        let failed = try await send(request("fails"), from: Fixture.botPhone)
        #expect(failed[attribute: "status"] == "completed")
        #expect(failed.child("note")?[attribute: "type"] == "error")
        #expect(failed.childText("note") == "The command failed: disk on fire")
        #expect(try await send(request("empty"), from: Fixture.botPhone).childText("note") == "Done.")
        let table = try await send(request("table"), from: Fixture.botPhone)
        #expect(try form(of: table).kind == .result)
        #expect(table.elements.count == 1)
    }

    // MARK: Discovery

    @Test func discoListsOnlyPermittedCommands() throws {
        let own = try JID("bot@example.org/adhocd")
        #expect(responder.discoItems(for: Fixture.alice, ownJID: own).map(\.node) == ["greet", "tune"])
        #expect(responder.discoItems(for: Fixture.alice, ownJID: own).allSatisfy { $0.jid == own })
        #expect(responder.discoItems(for: Fixture.botPhone, ownJID: own).map(\.node) == ["admin"])
        #expect(responder.discoItems(for: Fixture.eve, ownJID: own).isEmpty)

        let info = try #require(responder.discoInfo(node: "greet", requester: Fixture.alice))
        #expect(info.identities == [DiscoIdentity(category: "automation", type: "command-node", name: "Greet someone")])
        #expect(info.features.contains(CommandNamespace.commands))
        #expect(responder.discoInfo(node: "not-a-command", requester: Fixture.alice) == nil)
        // The list itself, for everyone (XEP-0050 §2.2).
        for requester in [Fixture.alice, Fixture.eve] {
            let list = try #require(responder.discoInfo(node: CommandNamespace.commands, requester: requester))
            #expect(list.identities == [DiscoIdentity(category: "automation", type: "command-list", name: "Commands")])
        }
    }

    @Test func hugeNamesAndManyCommandsStayWithinTheReplyBudget() throws {
        let budgeted = CommandResponder(engine: engine, budget: ReplyBudget(totalBytes: 4000, valueBytes: 1000, labelBytes: 100))
        let many = (0..<200).map { index in
            InstantCommand(node: "n\(index)", name: String(repeating: "Identity ", count: 10_000), policy: .ownAccountOnly, outcome: { .note("") })
        }
        registry.setCommands(many, provider: "many")
        let own = try JID("bot@example.org/adhocd")
        let items = budgeted.discoItems(for: Fixture.botPhone, ownJID: own)
        let size = XMLElement("query", namespace: DiscoNamespace.items, children: items.map { .element($0.element) }).serialized().utf8.count
        #expect(size < 4000)
        #expect(items.dropLast().allSatisfy { ($0.name?.utf8.count ?? 0) <= 100 })
        let last = try #require(items.last)
        #expect(last.node == CommandNamespace.commands)
        #expect(last.name == "… \(201 - (items.count - 1)) more commands not listed")
        let info = try #require(budgeted.discoInfo(node: "n0", requester: Fixture.botPhone))
        #expect((info.identities.first?.name?.utf8.count ?? 0) <= 100)
    }
}
