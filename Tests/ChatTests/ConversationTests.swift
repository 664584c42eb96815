import CommandTestKit
import Commands
import Synchronization
import Testing
import XMPPCore
@testable import Chat

/// The dialogue over a real CommandEngine: what a contact types, what the bot answers.
@Suite struct ConversationTests {
    let chat = ChatFixture()

    // MARK: Lists and names

    @Test func helpListsWhatTheContactMayRunNumberedWithLinks() async {
        let help = await chat.say("help")
        #expect(help.hasPrefix("Commands you may run (type the number, the name or the node):\n1. Greet someone · greet\n"
            + "   xmpp:bot@example.org/adhocd?command;node=greet\n2. Tune · tune\n"))
        #expect(help.contains("8. Media remote · mpris/remote\n   xmpp:bot@example.org/adhocd?command;node=mpris%2Fremote"))
        #expect(!help.contains("admin"))
        #expect(help.hasSuffix("In a command: back, cancel, help."))
        #expect(await chat.say("?") == help)
        #expect(await chat.say("COMMANDS") == help)
        // The numbers pick from that list; the rest of the line is the value.
        #expect(await chat.say("3 hello world") == "[hello world]")
        #expect(await chat.say("10") == "up 3 days")
        #expect(await chat.say("12") == "There is no command number 12; type help for the list.")
    }

    @Test func aNumberWithoutAListRunsNothing() async {
        #expect(await chat.say("3") == "Type help first: a number picks from its list.")
        #expect(chat.runs.all.isEmpty)
    }

    @Test func aStrangerIsToldOfNoCommandAndTheNodesStayHidden() async {
        #expect(await chat.say("help", from: Fixture.eve) == "There are no commands you may run here.")
        // A real node they may not run answers like no node at all, and its refusal is heard.
        #expect(await chat.say("admin x=1", from: Fixture.eve) == "I don't know 'admin'. Type help for the commands you may run.")
        #expect(await chat.say("nonexistent", from: Fixture.eve) == "I don't know 'nonexistent'. Type help for the commands you may run.")
        #expect(chat.refusals.all.map(\.command.node) == ["admin"])
        #expect(chat.refusals.all.first?.submitted == ["x": ["1"]])
    }

    @Test func commandsByNodeNameOrPrefix() async {
        #expect(await chat.say("Show a value").hasSuffix("Value?"))
        #expect(await chat.say("cancel") == "Cancelled Show a value; nothing was run.")
        #expect(await chat.say("UPTIME") == "up 3 days")
        #expect(await chat.say("remote").contains("Status: Playing"))
        #expect(await chat.say("cancel") == "Cancelled Media remote; nothing was run.")
        #expect(await chat.say("s") == "I don't know 's'. Type help for the commands you may run.")
        #expect(await chat.say("hello") == "I don't know 'hello'. Type help for the commands you may run.")
    }

    @Test func anAmbiguousWordOffersTheCandidatesByNumber() async {
        #expect(await chat.say("up") == """
            'up' could be several commands; type a number or more of the name:
            1. Uptime · uptime
            2. Update packages · update
            """)
        #expect(await chat.say("2") == "updated")
    }

    @Test func anAliasRunsItsCommandWithItsValues() async {
        let chat = ChatFixture(aliases: [
            try! ChatAlias(name: "Pause", target: "mpris/remote action=play-pause"),
            try! ChatAlias(name: "louder", target: "mpris/remote vol+"),
            try! ChatAlias(name: "boss", target: "admin"),
        ])
        let paused = await chat.say("pause")
        #expect(paused.contains("Done: ⏯ Play/Pause\nPlaying: Test tone\nStatus: Paused"))
        #expect(!chat.remote.playing)
        #expect(await chat.say("done") == "Closed Media remote.\nPaused: Test tone")
        #expect(await chat.say("LOUDER").contains("Volume: 60 %"))
        #expect(await chat.say("cancel") == "Cancelled Media remote.")
        // An alias to a command the contact may not run is no command at all for them.
        #expect(await chat.say("boss") == "I don't know 'boss'. Type help for the commands you may run.")
        #expect(chat.refusals.all.map(\.command.node) == ["admin"])
        #expect(await chat.say("help").contains("Shortcuts: pause (mpris/remote action=play-pause), louder (mpris/remote vol+)"))
    }

    // MARK: Questions

    @Test func fieldsAreAskedOneAtATimeWithReasonsBackAndDefaults() async {
        #expect(await chat.say("tune") == "Level (1 of 3)?\n(A whole number, at least 0 and at most 10)")
        #expect(await chat.say("11") == "Level: 11 must be at least 0 and at most 10.\nLevel (1 of 3)?\n(A whole number, at least 0 and at most 10)")
        let mode = "Mode (2 of 3)?\n1. soft\n2. loud\n(Answer with a number; empty or . keeps soft)"
        #expect(await chat.say("5") == mode)
        let code = "Code (3 of 3)?\n(A value matching [a-z]{3}; . to leave it empty)"
        #expect(await chat.say("2") == code)
        // Back: the question again, with the earlier answer as what "." keeps.
        let modeAgain = mode.replacingFirst("keeps soft", with: "keeps loud")
        #expect(await chat.say("back") == modeAgain)
        #expect(await chat.say("3") == "Mode: answer with a number from 1 to 2, or a value from the list.\n" + modeAgain)
        #expect(await chat.say(".") == code)
        #expect(await chat.say("ABC") == "Code: 'ABC' does not match [a-z]{3}.\n" + code)
        #expect(await chat.say("help") == "Tune asks:\n\(code)\n(back: the previous question; cancel: stop Tune.)")
        #expect(await chat.say("abc") == "level 5 mode loud code abc")
        #expect(chat.engine.openSessionCount == 0)
    }

    @Test func inlineValuesFillFieldsAndOnlyWhatIsMissingIsAsked() async {
        #expect(await chat.say("tune level=7 mode=loud") == "level 7 mode loud code -")
        #expect(await chat.say(#"tune mode="LOUD""#) == "Level?\n(A whole number, at least 0 and at most 10)")
        #expect(await chat.say("4") == "level 4 mode loud code -")
        // A refused inline value is asked again, with the reason.
        #expect(await chat.say("tune level=42 code=xyz") == "Level: 42 must be at least 0 and at most 10.\nLevel?\n(A whole number, at least 0 and at most 10)")
        #expect(await chat.say("0") == "level 0 mode soft code xyz")
        // Names no field has are said, not silently dropped.
        #expect(await chat.say("tune level=1 colour=red") == "(Not used: colour=red: Tune asks nothing by that name.)\nlevel 1 mode soft code -")
    }

    @Test func aOneParameterCommandTakesTheRestOfTheLineAsTyped() async {
        let hostile = #"; rm -rf / $(touch x) `id` "quoted" 'it's \ | & > <"#
        #expect(await chat.say("show " + hostile) == "[\(hostile)]")
        #expect(await chat.say("show") == "*Show a value*\nValue?")
        #expect(await chat.say("line one\nline two") == "[line one\nline two]")
        #expect(await chat.say("show value=a=b") == "[a=b]")
        #expect(chat.runs.all == ["show \(hostile)", "show line one\nline two", "show a=b"])
    }

    @Test func aRequiredFieldCannotBeLeftEmpty() async {
        _ = await chat.say("show")
        #expect(await chat.say(".") == "Value is required.\nValue?")
        #expect(await chat.say("cancel") == "Cancelled Show a value; nothing was run.")
        #expect(chat.runs.all.isEmpty)
    }

    @Test func backReturnsToThePreviousStageWithItsAnswers() async {
        #expect(await chat.say("greet") == "*Who?*\nName?")
        #expect(await chat.say("Ada") == "Greeting Ada\nShout?\n(Answer yes or no; empty or . keeps no)")
        #expect(await chat.say("back") == "*Who?*\nName?\n(empty or . keeps Ada)")
        #expect(await chat.say(".") == "Greeting Ada\nShout?\n(Answer yes or no; empty or . keeps no)")
        #expect(await chat.say("maybe") == "Shout?: answer yes or no.\nShout?\n(Answer yes or no; empty or . keeps no)")
        #expect(await chat.say("yes") == "HELLO, ADA!")
        #expect(await chat.say("back") == "Nothing is running. Type help for the commands you may run.")
    }

    @Test func backAtTheFirstQuestionSaysSo() async {
        _ = await chat.say("tune")
        #expect(await chat.say("back") == "This is the first question of Tune; cancel stops it.\nTune asks:\n"
            + "Level (1 of 3)?\n(A whole number, at least 0 and at most 10)\n(back: the previous question; cancel: stop Tune.)")
    }

    @Test func cancelRunsNothing() async {
        _ = await chat.say("wipe")
        _ = await chat.say("2")
        #expect(await chat.say("cancel") == "Cancelled Wipe a disk; nothing was run.")
        #expect(await chat.say("cancel") == "Nothing is running. Type help for the commands you may run.")
        #expect(chat.runs.all.isEmpty)
        #expect(chat.engine.openSessionCount == 0)
    }

    // MARK: Confirmations, secrets, loops

    @Test func aConfirmationIsAskedAsYesOrNoAndANoReachesTheCommand() async {
        #expect(await chat.say("wipe") == "*Wipe a disk*\nDisk (1 of 2)?\n1. System disk (sda)\n2. Backup disk (sdb)\n3. sdc\n(Answer with a number)")
        #expect(await chat.say("backup") == "Passes (2 of 2)?\n(A whole number, at least 1 and at most 3; empty or . keeps 1)")
        let question = "*Wipe a disk*\nWipe sdb now?\n(yes or no; cancel stops the command)"
        #expect(await chat.say(".") == question)
        #expect(await chat.say("1") == "Answer yes or no.\nWipe sdb now?\n(yes or no; cancel stops the command)")
        #expect(await chat.say("No") == "Nothing was run.")
        #expect(chat.runs.all == ["declined sdb"])
    }

    @Test func aConfirmationIsNeverAnsweredFromTheCommandLine() async {
        #expect(await chat.say("wipe disk=sda passes=2 yes") == "(Not used: 'yes'. Values go as name=value; a confirmation is always asked.)\n"
            + "*Wipe a disk*\nWipe sda now?\n(yes or no; cancel stops the command)")
        #expect(chat.runs.all.isEmpty)
        #expect(await chat.say("y") == "Wiped sda.")
        #expect(chat.runs.all == ["wipe sda 2"])
    }

    @Test func aSecretIsNeverAskedOverChat() async {
        #expect(await chat.say("unlock user=me") == "Unlock asks for Password, a secret. Secrets are never asked over chat, whose history "
            + "servers and clients keep: use a client with command support: xmpp:bot@example.org/adhocd?command;node=unlock\nNothing was run.")
        #expect(chat.engine.openSessionCount == 0)
    }

    @Test func theRemoteShowsItsStateAndTakesButtonsAsWords() async {
        let opened = await chat.say("mpris/remote")
        #expect(opened == """
            *Media remote — Test player*
            Playing: Test tone
            Status: Playing
            Volume: 50 %
            1. ⏯ Play/Pause (play-pause)
            2. ⏮ Previous (previous)
            3. ⏭ Next (next)
            4. 🔉 Volume − (volume-down)
            5. 🔊 Volume + (volume-up)
            6. ⏪ −10 s (seek-back)
            7. ⏩ +30 s (seek-forward)
            (Type a number or a button (play-pause, previous, next …); done closes Media remote.)
            """)
        #expect(await chat.say("pause").contains("Done: ⏯ Play/Pause\nPlaying: Test tone\nStatus: Paused"))
        #expect(await chat.say("vol+").contains("Status: Paused\nVolume: 60 %"))
        #expect(await chat.say("vol-").contains("Volume: 50 %"))
        #expect(await chat.say("1").contains("Status: Playing"))
        #expect(await chat.say("+30").hasPrefix("*Media remote — Test player*\nDone: ⏩ +30 s"))
        #expect(await chat.say("vol") == "'vol' could be 🔉 Volume − or 🔊 Volume +; type its number.")
        #expect(await chat.say("xyz") == "'xyz' is not a button of Media remote. Type a number or a button, or done to close it.")
        #expect(await chat.say("back").hasPrefix("Media remote has no previous question; done closes it.\n*Media remote"))
        #expect(await chat.say("help") == opened.replacingFirst("Playing: Test tone", with: "Done: ⏩ +30 s\nPlaying: Test tone"))
        #expect(await chat.say("done") == "Closed Media remote.\nPlaying: Test tone")
        #expect(chat.engine.openSessionCount == 0)
    }

    @Test func anotherCommandClosesAnOpenRemote() async {
        _ = await chat.say("mpris/remote")
        #expect(await chat.say("greet") == "(Closed Media remote.)\n*Who?*\nName?")
        #expect(await chat.say("cancel") == "Cancelled Greet someone; nothing was run.")
        #expect(chat.engine.openSessionCount == 0)
    }

    // MARK: Outcomes

    @Test func resultsAsTextAndTablesInABlock() async {
        #expect(await chat.say("disks") == "*Disk usage*\n```\nMount  Use%\n/m0      0%\n/m1     10%\n/m2     20%\n```")
        #expect(await chat.say("fails") == "Error: The command failed: disk on fire")
        #expect(await chat.say("uptime now") == "('now' was not used: Uptime takes no value there.)\nup 3 days")
    }

    // MARK: Sessions

    @Test func anExpiredDialogueSaysSoAndReadsNothingIntoTheLine() async {
        _ = await chat.say("greet")
        chat.base.clock.advance(by: .seconds(61))
        #expect(await chat.say("1") == "The command 'greet' expired after 60 s without an answer; start it again.")
        #expect(await chat.say("1") == "Type help first: a number picks from its list.")
    }

    @Test func aDialogueFollowsTheAccountAcrossItsClients() async {
        _ = await chat.say("show", from: Fixture.alice)
        #expect(await chat.say("from the phone", from: Fixture.aliceMobile) == "[from the phone]")
    }

    @Test func aCommandWithdrawnMidDialogueEndsIt() async {
        _ = await chat.say("tune")
        chat.base.groups.set(Fixture.alice, [])
        #expect(await chat.say("5") == "Tune is no longer available to you; nothing more was run.")
        #expect(chat.engine.openSessionCount == 0)
    }

    @Test func aLineWhileTheContactsCommandRunsIsNotRun() async throws {
        let gate = chat.addGatedCommand()
        let turn = ConversationTurn(requester: Fixture.alice, key: .chat(with: Fixture.alice), bot: nil)
        guard case .pending(let first) = chat.conversation.take("wait", turn: turn) else {
            Issue.record("the first line is answered")
            return
        }
        let answer = Task { await first.answer() }
        // Until the command is found, the contact hears of the word typed; then of the command.
        var busy = ""
        for _ in 0..<500 {
            guard case .immediate(let reply) = chat.conversation.take("status", turn: turn) else {
                Issue.record("a second line was taken while the first runs")
                return
            }
            busy = reply
            if busy.hasPrefix("Still running Waiting") { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(busy == "Still running Waiting… 'status' was not run; send it again after the answer.")
        // Another contact is not held up.
        #expect(await chat.say("uptime", from: Fixture.botPhone) == "I don't know 'uptime'. Type help for the commands you may run.")
        gate.open()
        #expect(await answer.value == "waited")
        #expect(await chat.say("uptime") == "up 3 days")
    }

    @Test func memoryStaysBoundedWhateverManyContactsWrite() async {
        let store = ConversationStore(capacity: 50, now: { .now })
        for index in 0..<500 {
            let key = ConversationKey("chat:c\(index)@example.org")
            guard case .ready(var state) = store.begin(key, line: "x") else { continue }
            state.numbering = ["x"]
            store.end(key, with: state)
        }
        #expect(store.count <= 50)
    }
}

/// Holds a command until the test lets it go.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        var copy = self
        guard let range = copy.firstRange(of: target) else { return self }
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
