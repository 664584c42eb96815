import Commands
import ProcessSupervision
import Testing
import XMPPCore
@testable import CommandFiles

@Suite struct OutputRendererTests {
    func result(_ stdout: String, stderr: String = "", ending: ProcessResult.Ending = .exited(0), timedOut: Bool = false, limit: Int = 64 * 1024) -> ProcessResult {
        ProcessResult(
            ending: ending, timedOut: timedOut, cancelled: false, strayProcessesStopped: false,
            standardOutput: captured(Array(stdout.utf8), limit: limit, keep: .head),
            standardError: captured(Array(stderr.utf8), limit: limit, keep: .tail), duration: .milliseconds(12))
    }

    func captured(_ bytes: [UInt8], limit: Int, keep: CapturedOutput.Keep) -> CapturedOutput {
        var output = CapturedOutput(limit: limit, keep: keep)
        bytes.withUnsafeBytes { output.append($0) }
        output.finish()
        return output
    }

    func definition(_ output: CommandDefinition.OutputStyle) throws -> CommandDefinition {
        try Fixture.definition("name = \"Disks\"\nexec = [\"/bin/df\"]\noutput = \"\(output.rawValue)\"\ntimeout = \"2s\"")
    }

    @Test func parsesTabSeparatedTables() {
        let table = TableParser.parse("Mount\tSize\tUse%\n/\t10G\t20%\n/srv data\t1T\t5%\r\n\n")
        #expect(table == TableParser.Table(header: ["Mount", "Size", "Use%"], rows: [["/", "10G", "20%"], ["/srv data", "1T", "5%"]]))
    }

    @Test func parsesCSVWithQuotesCommasAndLineBreaks() {
        let table = TableParser.parse("name,comment\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\"\nplain,\n")
        #expect(table == TableParser.Table(header: ["name", "comment"], rows: [["Smith, J", "said \"hi\"\nthen left"], ["plain", ""]]))
        #expect(TableParser.parse("\n\n") == nil)
    }

    @Test func aTableBecomesReportedColumnsAndItems() throws {
        guard case .form(let form) = OutputRenderer.outcome(for: result("Mount\tUse %\t\n/\t20%\textra\tmore\n/srv\n"), definition: try definition(.table)) else {
            Issue.record("expected a form")
            return
        }
        #expect(form.title == "Disks")
        #expect(form.reported?.map(\.variable) == ["mount", "use", "column-3", "column-4"])
        #expect(form.reported?.map(\.label) == ["Mount", "Use %", "Column 3", "Column 4"])
        #expect(form.items.map { $0.map(\.values) } == [[["/"], ["20%"], ["extra"], ["more"]], [["/srv"], [""], [""], [""]]])
    }

    @Test func columnNamesAreUniqueAndPlain() {
        #expect(OutputRenderer.columnVariables(["Size", "size", "Size", "Ü", ""], width: 6) == ["size", "size-2", "size-3", "column-4", "column-5", "column-6"])
    }

    @Test func hostileHeadersStayCheapAndNarrow() throws {
        // 30 000 identical names: fast (linear), unique, and only the first 64 columns shown.
        let header = Array(repeating: "a", count: 30_000)
        let clock = ContinuousClock()
        let start = clock.now
        let names = OutputRenderer.columnVariables(header, width: header.count)
        #expect(clock.now - start < .seconds(2))
        #expect(Set(names).count == names.count)
        #expect(names.prefix(3) == ["a", "a-2", "a-3"])

        let wide = Array(repeating: "a", count: 500).joined(separator: "\t") + "\n" + Array(repeating: "1", count: 500).joined(separator: "\t")
        guard case .form(let form) = OutputRenderer.outcome(for: result(wide), definition: try definition(.table)) else {
            Issue.record("expected a form")
            return
        }
        #expect(form.reported?.count == OutputRenderer.maximumColumns)
        #expect(form.title == "Disks (64 of 500 columns shown)")
    }

    @Test func carriageReturnsAndControlsAreCountedAsWritten() {
        // CR is written as &#13; (5 bytes), a control character as U+FFFD (3 bytes).
        #expect(OutputRenderer.escapedSize("a\r\n\u{1}&") == 1 + 5 + 1 + 3 + 5)
    }

    @Test func aTruncatedTableDropsItsBrokenLastRowAndSaysSo() throws {
        let text = "a\tb\n" + (1...400).map { "\($0)\tvalue \($0)" }.joined(separator: "\n")
        guard case .form(let form) = OutputRenderer.outcome(for: result(text, limit: 1024), definition: try definition(.table)) else {
            Issue.record("expected a form")
            return
        }
        #expect(form.title?.contains("output truncated") == true)
        #expect(form.items.allSatisfy { $0[1].values[0].hasPrefix("value ") })
        #expect(form.items.last.map { "value " + $0[0].values[0] == $0[1].values[0] } == true)
    }

    @Test func textIsANoteWithTruncationNoted() throws {
        #expect(OutputRenderer.outcome(for: result("up 3 days\n"), definition: try definition(.text)) == .note("up 3 days"))
        #expect(OutputRenderer.outcome(for: result(""), definition: try definition(.text)) == .note("Done (no output)."))
        #expect(OutputRenderer.outcome(for: result("ignored"), definition: try definition(.none)) == .note("Done."))
        let long = OutputRenderer.outcome(for: result(String(repeating: "x", count: 5000), limit: 1024), definition: try definition(.text))
        guard case .note(let text, _) = long else {
            Issue.record("expected a note")
            return
        }
        #expect(text.hasPrefix(String(repeating: "x", count: 1024) + "\n[output truncated: 5000 bytes written, 1024 shown]"))
    }

    @Test func textThatWouldBurstAStanzaIsCut() {
        let (shown, cut) = OutputRenderer.fit(String(repeating: "<&>", count: 100_000), budget: OutputRenderer.stanzaBudget)
        #expect(cut)
        #expect(OutputRenderer.escapedSize(shown) <= OutputRenderer.stanzaBudget)
    }

    @Test func invalidUTF8IsReplacedNotFatal() throws {
        var output = CapturedOutput(limit: 100, keep: .head)
        ([0x66, 0xFF, 0xFE, 0x6F] as [UInt8]).withUnsafeBytes { output.append($0) }
        let outcome = OutputRenderer.outcome(
            for: ProcessResult(ending: .exited(0), timedOut: false, cancelled: false, strayProcessesStopped: false,
                               standardOutput: output, standardError: CapturedOutput(limit: 100, keep: .tail), duration: .zero),
            definition: try definition(.text))
        #expect(outcome == .note("f\u{FFFD}\u{FFFD}o"))
    }

    @Test func failuresShowTheStatusAndTheEndOfStandardError() throws {
        let errors = (1...30).map { "problem \($0)" }.joined(separator: "\n")
        guard case .failure(let text) = OutputRenderer.outcome(for: result("", stderr: errors, ending: .exited(4)), definition: try definition(.text)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(text.hasPrefix("Disks failed with exit status 4.\nLast lines of its error output:\nproblem 11\n"))
        #expect(text.hasSuffix("problem 30"))
        #expect(OutputRenderer.outcome(for: result("", ending: .signalled(9)), definition: try definition(.text)) == .failure("Disks was killed by signal 9 (SIGKILL)."))
        #expect(OutputRenderer.outcome(for: result("partial", ending: .signalled(15), timedOut: true), definition: try definition(.text))
            == .failure("Stopped after 2 s: Disks ran past its time limit.\nLast lines of its output:\npartial"))
    }

    @Test func standardErrorKeepsItsTail() {
        let kept = captured(Array(("a" + String(repeating: "b", count: 10) + "END").utf8), limit: 5, keep: .tail)
        #expect(kept.text == "bbEND")
        #expect(kept.totalCount == 14)
    }
}
