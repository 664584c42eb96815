import Testing
import XMPPCore
import Commands
@testable import AdHoc

@Suite struct ReplyBudgetTests {
    let budget = ReplyBudget(totalBytes: 1000, valueBytes: 100)

    @Test func leavesSmallAnswersAlone() {
        let form = DataForm(.result, fields: [FormField("a", type: .textSingle, values: ["short"])])
        #expect(budget.limit(.form(form)) == .form(form))
        #expect(budget.limit(.note("fine")) == .note("fine"))
    }

    @Test func cutsLongNotesBetweenCharactersAndSaysSo() {
        let text = String(repeating: "é", count: 300)  // 600 bytes, over 4 × 100
        guard case .failure(let cut) = budget.limit(.failure(text)) else { Issue.record("not a failure"); return }
        #expect(cut.hasPrefix(String(repeating: "é", count: 200) + "\n…"))
        #expect(cut.hasSuffix("(200 more bytes not shown)"))
    }

    @Test func notesAreCutByTheirEscapedSize() {
        guard case .note(let cut, _) = budget.limit(.note(String(repeating: "<", count: 300))) else { Issue.record("not a note"); return }
        #expect(cut.hasPrefix(String(repeating: "<", count: 100) + "\n…"))
    }

    @Test func dropsRowsPastTheBudgetAndAddsAFieldNamingThem() throws {
        let columns = [FormField("c", type: .textSingle, label: "C")]
        let rows = (0..<100).map { [FormField("c", type: .textSingle, values: [String(repeating: "x", count: 50) + "\($0)"])] }
        let form = DataForm(.result, reported: columns, items: rows)
        guard case .form(let limited) = budget.limit(.form(form)) else { Issue.record("not a form"); return }
        #expect(limited.items.count == 6)
        let marker = try #require(limited.fields.last)
        #expect(marker.type == .fixed)
        #expect(marker.values == ["Output truncated: showing 6 of 100 rows."])
        // What is counted is what goes on the wire: the serialized form stays near the budget.
        #expect(limited.element.serialized().utf8.count < 1000 + 250)
    }

    @Test func countsEscapingAndMarkupNotOnlyText() {
        // Short cells full of '&': each is tiny as text, five times that on the wire.
        let rows = (0..<1000).map { _ in [FormField("c", type: .textSingle, values: [String(repeating: "&", count: 10)])] }
        let form = DataForm(.result, reported: [FormField("c", type: .textSingle, label: "C")], items: rows)
        guard case .form(let limited) = budget.limit(.form(form)) else { Issue.record("not a form"); return }
        #expect(limited.element.serialized().utf8.count < 1000 + 250)
        #expect(limited.items.count < 15)
    }

    @Test func cutsLongValuesAndLeavesOutValuesPastTheBudget() {
        let form = DataForm(.result, fields: [
            FormField("long", type: .textSingle, values: [String(repeating: "a", count: 500)]),
            FormField("many", type: .textMulti, values: (0..<100).map { "line \($0) " + String(repeating: "b", count: 20) }),
        ])
        guard case .form(let limited) = budget.limit(.form(form)) else { Issue.record("not a form"); return }
        #expect(limited.fields[0].values == [String(repeating: "a", count: 100) + "…"])
        #expect(limited.fields[1].values.count < 100)
        #expect(limited.fields.last?.values.first?.contains("1 long values cut short") == true)
        #expect(limited.fields.last?.values.first?.contains("values left out") == true)
    }

    @Test func titlesLabelsAndOptionLabelsCountToo() throws {
        // A D-Bus service names itself: its Identity becomes a title and option labels.
        let huge = String(repeating: "Player's \"name\" ", count: 10_000)
        let form = DataForm(.form, title: huge, instructions: [huge], fields: [
            FormField("player", type: .listSingle, label: huge, description: huge, values: ["a"],
                      options: (0..<100).map { FormField.Option("p\($0)", label: huge) }),
        ])
        let budget = ReplyBudget(totalBytes: 4000, valueBytes: 100, labelBytes: 200)
        let stage = budget.limit(CommandStage(id: "s", form: form, isFinal: true))
        let size = stage.form.element.serialized().utf8.count
        #expect(size < 4000)
        #expect(stage.form.title?.hasSuffix("…") == true)
        let field = try #require(stage.form.field("player"))
        #expect(field.values == ["a"])
        #expect(field.options.count < 100)
        #expect(field.options.allSatisfy { $0.value.hasPrefix("p") })
        let marker = try #require(stage.form.fields.last?.values.first)
        #expect(marker.contains("choices left out"))
        #expect(marker.contains("long labels cut short"))
    }

    @Test func aLabelIsCutAsItIsWrittenInAnAttribute() {
        let budget = ReplyBudget(totalBytes: 1000, valueBytes: 100, labelBytes: 60)
        #expect(budget.limit(label: "short") == "short")
        let quotes = budget.limit(label: String(repeating: "'", count: 100))
        #expect(ReplyBudget.attributeBytes(quotes) <= 60)
        #expect(quotes.hasSuffix("…"))
    }
}
