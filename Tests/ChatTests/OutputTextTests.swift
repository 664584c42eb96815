import Testing
import XMPPCore
@testable import Chat

@Suite struct OutputTextTests {
    @Test func aQuestionShowsLabelDescriptionOptionsAndDefault() {
        let field = FormField("unit", type: .listSingle, label: "Unit", description: "Which unit to restart",
                              values: ["nginx.service"], options: [.init("nginx.service", label: "Web server"), .init("cron.service")])
        #expect(QuestionText.text(for: field, position: (1, 2)) == """
            Unit (1 of 2): Which unit to restart?
            1. Web server (nginx.service)
            2. cron.service
            (Answer with a number; empty or . keeps Web server)
            """)
    }

    @Test func rangesAndBooleansInWords() {
        let volume = FormField("volume", label: "Volume", isRequired: true,
                               validation: FieldValidation(datatype: .int, method: .range(min: "0", max: "100")))
        #expect(QuestionText.text(for: volume) == "Volume?\n(A whole number, at least 0 and at most 100)")
        let confirm = FormField("confirm", type: .boolean, label: "Restart nginx now", values: ["false"])
        #expect(QuestionText.text(for: confirm) == "Restart nginx now?\n(Answer yes or no; empty or . keeps no)")
    }

    @Test func aResultFormAsLabelledLines() {
        let form = DataForm(.result, title: "Host status", fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["x"]),
            FormField("host", label: "Host", values: ["box"]),
            FormField(nil, type: .fixed, values: ["All good."]),
            FormField("addresses", type: .textMulti, label: "Addresses", values: ["10.0.0.1", "::1"]),
        ])
        #expect(OutcomeText.standard.form(form, link: nil) == """
            *Host status*
            Host: box
            All good.
            Addresses:
              10.0.0.1
              ::1
            """)
    }

    @Test func aTableInABlockWithNumbersAlignedRight() {
        let form = DataForm(.result, reported: [FormField("mount", label: "Mount"), FormField("use", label: "Use%")], items: [
            [FormField("mount", values: ["/"]), FormField("use", values: ["61%"])],
            [FormField("mount", values: ["/boot/efi"]), FormField("use", values: ["7%"])],
        ])
        #expect(OutcomeText.standard.form(form, link: nil) == """
            ```
            Mount      Use%
            /           61%
            /boot/efi    7%
            ```
            """)
    }

    @Test func aLongTableIsCutWithACountAndTheLink() {
        let rows = (1...2000).map { [FormField("n", values: ["row \($0) with some text"])] }
        let form = DataForm(.result, reported: [FormField("n", label: "N")], items: rows)
        let text = OutcomeText(budget: 2000).form(form, link: "xmpp:bot@example.org/adhocd?command;node=big")
        #expect(text.utf8.count <= 2000)
        #expect(text.contains("more rows — the full table in a client with command support: xmpp:bot@example.org/adhocd?command;node=big"))
        #expect(text.contains("```\nN\nrow 1 with some text"))
    }

    @Test func longNotesAreCutWithinTheBudget() {
        let text = OutcomeText(budget: 500).note(String(repeating: "é", count: 1000))
        #expect(text.utf8.count <= 500)
        #expect(text.hasSuffix("more bytes not shown)"))
        #expect(OutcomeText.standard.note("nope", severity: .error) == "Error: nope")
    }

    @Test func aLongCommandListIsCutWithTheListsLink() throws {
        let commands = (1...400).map { CommandResolver.Entry(node: "dbus/org.example.Service/method\($0)", name: "Service: method \($0)") }
        let bot = try JID("bot@example.org/adhocd")
        let text = HelpText().help(commands, aliases: [], bot: bot)
        #expect(text.utf8.count <= OutcomeText.standard.budget)
        #expect(text.contains("1. Service: method 1 · dbus/org.example.Service/method1\n   xmpp:bot@example.org/adhocd?command;node=dbus%2Forg.example.Service%2Fmethod1"))
        #expect(text.contains("more: type a name to find one, or open the list in a client with command support: xmpp:bot@example.org/adhocd?command\n"))
        #expect(text.hasSuffix("In a command: back, cancel, help."))
        #expect(HelpText().help([], aliases: [], bot: bot) == "There are no commands you may run here.")
    }

    @Test func staleLinesAreToldWithTheirAge() throws {
        #expect(StaleLines.spoken(5) == "5 s ago")
        #expect(StaleLines.spoken(600) == "10 min ago")
        #expect(StaleLines.spoken(7200) == "2 h ago")
        #expect(StaleLines.spoken(3 * 86_400) == "3 days ago")
        #expect(StaleLines.spoken(nil) == "earlier")
        #expect(StaleLines.spoken(-3) == "earlier")
        var lines = StaleLines()
        let alice = try! JID("alice@example.org/phone")
        let opened = lines.add("a", age: 1, from: alice)
        #expect(opened)
        var joined = 0
        for index in 0..<9 where !lines.add("line \(index)", age: 1, from: alice) { joined += 1 }
        #expect(joined == 9)
        let closed = lines.close(alice)
        let (target, notice) = try #require(closed)
        #expect(target == alice)
        #expect(notice.contains("• 'line 3' (1 s ago)\n… and 5 more\nSend again what you still want."))
        let again = lines.close(alice)
        #expect(again == nil)
    }
}
