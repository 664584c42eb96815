import Testing
import XMPPCore
@testable import Chat

@Suite struct AnswerReaderTests {
    let units = FormField("unit", type: .listSingle, label: "Unit", options: [
        .init("nginx.service", label: "Web server"), .init("postgresql.service", label: "Database"), .init("cron.service"),
    ])

    @Test func emptyOrDotTakesTheDefault() {
        #expect(AnswerReader.read("", for: units) == .useDefault)
        #expect(AnswerReader.read(" . ", for: units) == .useDefault)
    }

    @Test func optionsByNumberValueLabelOrPrefix() {
        #expect(AnswerReader.read("2", for: units) == .values(["postgresql.service"]))
        #expect(AnswerReader.read("cron.service", for: units) == .values(["cron.service"]))
        #expect(AnswerReader.read("web SERVER", for: units) == .values(["nginx.service"]))
        #expect(AnswerReader.read("data", for: units) == .values(["postgresql.service"]))
        guard case .problem = AnswerReader.read("4", for: units) else { Issue.record("4 is not an option"); return }
        guard case .problem = AnswerReader.read("0", for: units) else { Issue.record("0 is not an option"); return }
        guard case .problem = AnswerReader.read("-9223372036854775808", for: units) else { Issue.record("no overflow"); return }
        // "n" starts nothing but nginx; "s" would be ambiguous only if two started with it.
        #expect(AnswerReader.read("ng", for: units) == .values(["nginx.service"]))
    }

    @Test func anEmptyListRefusesEveryNumber() {
        let empty = FormField("x", type: .listSingle)
        guard case .problem = AnswerReader.read("1", for: empty) else { Issue.record("nothing to choose"); return }
    }

    @Test func anOpenListTakesOtherValues() {
        var open = units
        open.validation = FieldValidation(method: .open)
        #expect(AnswerReader.read("ssh.service", for: open) == .values(["ssh.service"]))
    }

    @Test func booleansAsYesOrNo() {
        let field = FormField("confirm", type: .boolean)
        #expect(AnswerReader.read("Yes", for: field) == .values(["true"]))
        #expect(AnswerReader.read("n", for: field) == .values(["false"]))
        #expect(AnswerReader.read("maybe", for: field) == .problem("answer yes or no"))
    }

    @Test func multiValuedFieldsByLineOrComma() {
        var many = units
        many.type = .listMulti
        #expect(AnswerReader.read("1, 3", for: many) == .values(["nginx.service", "cron.service"]))
        #expect(AnswerReader.read("1\n3\n1", for: many) == .values(["nginx.service", "cron.service"]))
        let jids = FormField("who", type: .jidMulti)
        #expect(AnswerReader.read("a@example.org, b@example.org, a@example.org", for: jids) == .values(["a@example.org", "b@example.org"]))
        // Free text keeps its commas; each line is a value.
        let text = FormField("message", type: .textMulti)
        #expect(AnswerReader.read("one, two\r\nthree", for: text) == .values(["one, two", "three"]))
    }

    @Test func textIsTakenAsTyped() {
        let field = FormField("name", type: .textSingle)
        #expect(AnswerReader.read("  a; rm -rf / \"q\"  ", for: field) == .values([#"a; rm -rf / "q""#]))
    }
}
