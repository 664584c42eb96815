import CommandTestKit
import Commands
import Logging
import Synchronization
import Testing
import XMPPCore
@testable import Chat

/// Messages in, stanzas out: who is answered, with what, and what is never answered.
@Suite struct ChatFrontEndTests {
    let chat = ChatFixture()
    let sent = Recorder<XMLElement>()
    /// 2027-01-15T08:00:00Z.
    static let wallClock = 1_800_000_000.0

    func frontEnd(_ settings: ChatSettings = ChatSettings(), timing: ChatTiming = ChatTiming(composingAfter: .seconds(30), staleWindow: .milliseconds(50))) -> ChatFrontEnd {
        ChatFrontEnd(
            engine: chat.engine, settings: settings, ownJID: { ChatFixture.bot }, send: { [sent] in sent.append($0) },
            timing: timing, now: { [clock = chat.base.clock] in clock.now }, wallClock: { Self.wallClock },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func message(_ body: String?, from: JID = Fixture.alice, type: String = "chat", id: String = "m1", extra: [XMLElement] = []) -> Message {
        var element = XMLElement("message", namespace: StreamNamespace.client, ["type": type, "from": from.description, "to": ChatFixture.bot.description, "id": id])
        if let body { element.append(XMLElement("body", namespace: StreamNamespace.client, text: body)) }
        for child in extra { element.append(child) }
        return Message(element: element)
    }

    func delay(_ stamp: String) -> XMLElement {
        XMLElement("delay", namespace: IncomingChat.delayNamespace, ["from": "example.org", "stamp": stamp])
    }

    var bodies: [String] { sent.all.compactMap { $0.childText("body") } }

    // MARK: Answers

    @Test func anAnswerIsOneChatMessageMarkedAsAutomatedButStored() async throws {
        let front = frontEnd()
        await front.receive(message("uptime"))
        let answer = try #require(sent.all.first)
        #expect(sent.all.count == 1)
        #expect(answer[attribute: "type"] == "chat")
        #expect(answer[attribute: "to"] == Fixture.alice.description)
        #expect(answer.childText("body") == "up 3 days")
        #expect(answer.child("active", namespace: ChatStanzas.chatStatesNamespace) != nil)
        #expect(answer.child("no-copy", namespace: IncomingChat.hintsNamespace) != nil)
        // Stored, so a phone that dropped off for a moment still gets it from the archive.
        #expect(answer.child("no-store", namespace: IncomingChat.hintsNamespace) == nil)
        // And adhocd would never answer such a message: no loops between two bots.
        let echoed = Message(element: answer)
        #expect(IncomingChat.classify(echoed.replacingSender(with: Fixture.alice), ownJID: ChatFixture.bot, now: Self.wallClock, staleAfter: 120) == .ignored(.automated))
    }

    @Test func everyAnswerStaysWithinOneMessagesBudget() async throws {
        let options = (1...5000).map { FormField.Option("option-\($0)", label: "A rather long label for option \($0)") }
        chat.base.registry.setCommands([PickCommand(options: options)], provider: "big")
        await frontEnd().receive(message("pick"))
        let body = try #require(bodies.first)
        #expect(body.utf8.count <= OutcomeText.standard.budget)
        #expect(body.hasPrefix("Pick?\n1. A rather long label for option 1 (option-1)"))
        #expect(body.hasSuffix("more bytes not shown)"))
    }

    @Test func aReceiptIsSentWhenAsked() async throws {
        await frontEnd().receive(message("uptime", id: "abc", extra: [XMLElement("request", namespace: IncomingChat.receiptsNamespace)]))
        #expect(sent.all.count == 2)
        let receipt = try #require(sent.all.first)
        #expect(receipt[attribute: "to"] == Fixture.alice.description)
        #expect(receipt.child("received", namespace: IncomingChat.receiptsNamespace)?[attribute: "id"] == "abc")
        #expect(receipt.childText("body") == nil)
        #expect(bodies == ["up 3 days"])
    }

    @Test func aSlowCommandShowsComposingFirst() async throws {
        let gate = chat.addGatedCommand()
        let front = frontEnd(timing: ChatTiming(composingAfter: .milliseconds(10)))
        let answered = Task { await front.receive(message("wait")) }
        for _ in 0..<500 where sent.all.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        gate.open()
        await answered.value
        #expect(sent.all.count == 2)
        #expect(sent.all.first?.child("composing", namespace: ChatStanzas.chatStatesNamespace) != nil)
        #expect(sent.all.first?.childText("body") == nil)
        #expect(sent.all.last?.childText("body") == "waited")
        #expect(sent.all.last?.child("active", namespace: ChatStanzas.chatStatesNamespace) != nil)
    }

    @Test func aQuickAnswerHasNoChatStateBeforeIt() async {
        await frontEnd().receive(message("uptime"))
        #expect(sent.all.count == 1)
        #expect(sent.all.first?.childText("body") == "up 3 days")
    }

    // MARK: What is never answered

    @Test func whatIsNeverAnswered() async {
        let front = frontEnd()
        await front.receive(message("uptime", type: "error"))
        await front.receive(message("uptime", type: "groupchat"))
        await front.receive(message("uptime", type: "headline"))
        await front.receive(message(nil))
        await front.receive(message("uptime", from: ChatFixture.bot))
        await front.receive(message("uptime", extra: [XMLElement("no-copy", namespace: IncomingChat.hintsNamespace)]))
        await front.receive(message("uptime", extra: [XMLElement("received", namespace: "urn:xmpp:carbons:2")]))
        #expect(sent.all.isEmpty)
        #expect(chat.runs.all.isEmpty)
    }

    @Test func aStrangerGetsNoAnswerAtAllAndRunsNothing() async {
        let front = frontEnd()
        await front.receive(message("help", from: Fixture.eve, extra: [XMLElement("request", namespace: IncomingChat.receiptsNamespace)]))
        await front.receive(message("show hi", from: Fixture.eve))
        await front.receive(message("1", from: Fixture.eve))
        #expect(sent.all.isEmpty)
        #expect(chat.runs.all.isEmpty)
        // A real node reaches the engine's refusal hook, as the XEP-0050 path's request would.
        #expect(chat.refusals.all.map(\.command.node) == ["show"])
    }

    @Test func theBotsOwnAccountIsSelf() async {
        await frontEnd().receive(message("admin", from: Fixture.botPhone))
        #expect(bodies == ["ok"])
    }

    @Test func whoMayChatCanBeNarrowed() async {
        var settings = ChatSettings()
        settings.deny = [.account(try! JID("alice@example.org"))]
        await frontEnd(settings).receive(message("uptime"))
        #expect(sent.all.isEmpty)
        settings.deny = []
        settings.allow = [.group("friends")]
        await frontEnd(settings).receive(message("uptime"))
        #expect(sent.all.isEmpty)
        chat.base.groups.set(Fixture.alice, ["coloc", "friends"])
        await frontEnd(settings).receive(message("uptime"))
        #expect(bodies == ["up 3 days"])
    }

    @Test func disabledMeansSilent() async {
        var settings = ChatSettings()
        settings.enabled = false
        let front = frontEnd(settings)
        await front.receive(message("uptime"))
        #expect(sent.all.isEmpty)
        // A reload turns it on.
        settings.enabled = true
        #expect(front.apply(settings))
        #expect(!front.apply(settings))
        await front.receive(message("uptime"))
        #expect(bodies == ["up 3 days"])
    }

    @Test func aReloadBringsNewAliases() async throws {
        let front = frontEnd()
        await front.receive(message("up3"))
        var settings = ChatSettings()
        settings.aliases = [try ChatAlias(name: "up3", target: "uptime")]
        front.apply(settings)
        await front.receive(message("up3"))
        #expect(bodies == ["I don't know 'up3'. Type help for the commands you may run.", "up 3 days"])
    }

    // MARK: Floods and late lines

    @Test func aFloodGetsOneSlowDownThenSilence() async {
        var settings = ChatSettings()
        settings.rateBurst = 3
        settings.rateInterval = 60
        let front = frontEnd(settings)
        for index in 0..<10 { await front.receive(message("uptime", id: "m\(index)")) }
        #expect(bodies == ["up 3 days", "up 3 days", "up 3 days", "Slow down: too many messages at once. What you send in the next 60 s is not run."])
        // Others are not slowed down by it.
        await front.receive(message("admin", from: Fixture.botPhone))
        #expect(bodies.last == "ok")
        chat.base.clock.advance(by: .seconds(61))
        await front.receive(message("uptime"))
        #expect(bodies.last == "up 3 days")
    }

    @Test func linesStoredWhileTheBotWasOfflineAreNeverRunAndToldOnce() async throws {
        let front = frontEnd()
        let (stream, continuation) = AsyncStream<Message>.makeStream()
        let running = Task { await front.run(stream) }
        continuation.yield(message("show pwned", id: "a", extra: [delay("2027-01-15T07:48:00Z")]))
        continuation.yield(message("wipe disk=sda", id: "b", extra: [delay("2027-01-15T07:50:00Z")]))
        continuation.yield(message("yes", id: "c", extra: [delay("2027-01-15T07:50:01Z"), XMLElement("request", namespace: IncomingChat.receiptsNamespace)]))
        continuation.finish()
        await running.value
        #expect(chat.runs.all.isEmpty)
        #expect(chat.engine.openSessionCount == 0)
        #expect(bodies == ["""
            I was offline when you sent these, so none of them was run:
            • 'show pwned' (12 min ago)
            • 'wipe disk=sda' (10 min ago)
            • 'yes' (9 min ago)
            Send again what you still want.
            """])
        // The receipt still says it arrived.
        #expect(sent.all.contains { $0.child("received", namespace: IncomingChat.receiptsNamespace)?[attribute: "id"] == "c" })
        // A line delayed only a little (a slow server) runs.
        await front.receive(message("uptime", extra: [delay("2027-01-15T07:59:30Z")]))
        #expect(bodies.last == "up 3 days")
    }

    @Test func oneLateLineIsToldAsOne() async {
        await frontEnd().receive(message("show x", extra: [delay("garbage")]))
        #expect(bodies == ["I was offline when you sent 'show x' (earlier), so it was not run. Send it again if you still want it."])
    }
}

extension Message {
    /// The message as if `sender` had sent it to us.
    func replacingSender(with sender: JID) -> Message {
        var element = element
        element[attribute: "from"] = sender.description
        return Message(element: element)
    }
}
