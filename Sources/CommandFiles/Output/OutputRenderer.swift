import Commands
import ProcessSupervision
import XMPPCore

/// Turns a finished run into the one payload the requester sees: a note, a table, or an error
/// note with the exit status and the end of standard error.
///
/// Every answer is kept well inside the XML stanza size servers accept (Prosody's default is
/// 256 KiB): escaping can make text several times longer, so the budget counts escaped bytes.
public enum OutputRenderer {
    /// Escaped bytes an answer's text may take.
    static let stanzaBudget = 192 * 1024
    /// Lines of standard error shown with a failure.
    static let errorTailLines = 20

    public static func outcome(for result: ProcessResult, definition: CommandDefinition) -> CommandOutcome {
        if result.cancelled { return .failure("The run was stopped because the request was cancelled.") }
        if result.timedOut {
            return .failure(withTail("Stopped after \(definition.timeout.spoken): \(definition.name) ran past its time limit.", result))
        }
        switch result.ending {
        case .signalled(let signal):
            return .failure(withTail("\(definition.name) was killed by signal \(signal) (\(signalName(signal))).", result))
        case .exited(let status) where status != 0:
            return .failure(withTail("\(definition.name) failed with exit status \(status).", result))
        case .exited:
            break
        }
        switch definition.output {
        case .none:
            return .note("Done.")
        case .text:
            let text = trimmingFinalNewline(result.standardOutput.text)
            guard !text.isEmpty else { return .note("Done (no output).") }
            let (shown, cut) = fit(text, budget: stanzaBudget)
            let note = result.standardOutput.isTruncated || cut ? shown + "\n" + truncationNote(result.standardOutput, cut: cut) : shown
            return .note(note)
        case .table:
            return table(result.standardOutput, title: definition.name)
        }
    }

    /// Columns shown of a table; phones show a handful, desktop clients a few dozen.
    static let maximumColumns = 64

    static func table(_ output: CapturedOutput, title: String) -> CommandOutcome {
        var text = output.text
        // A cut-off last line would be a broken row: drop it.
        if output.isTruncated, let lastBreak = text.lastIndex(where: \.isNewline) { text = String(text[..<lastBreak]) }
        guard let table = TableParser.parse(text) else { return .note("Done (no output).") }
        let fullWidth = max(table.header.count, table.rows.map(\.count).max() ?? 0)
        // Wider than any screen shows; the rest would only cost stanza space.
        let width = min(fullWidth, maximumColumns)
        let variables = columnVariables(table.header, width: width)
        let reported = (0..<width).map { index in
            let header = index < table.header.count ? table.header[index].trimmingWhitespace() : ""
            return FormField(variables[index], type: .textSingle, label: header.isEmpty ? "Column \(index + 1)" : header)
        }
        var used = zip(variables, reported).reduce(0) { $0 + $1.0.utf8.count * 2 + escapedSize($1.1.label ?? "") + 60 }
        guard used <= stanzaBudget else { return .failure("\(title): the output's header is too large to show as a table.") }
        var items: [[FormField]] = []
        var cut = false
        for row in table.rows {
            let cells = (0..<width).map { index in index < row.count ? row[index] : "" }
            let size = zip(variables, cells).reduce(0) { $0 + $1.0.utf8.count + escapedSize($1.1) + 40 } + 20
            guard used + size <= stanzaBudget else {
                cut = true
                break
            }
            used += size
            items.append(zip(variables, cells).map { FormField($0, type: nil, values: [$1]) })
        }
        guard !items.isEmpty || !table.rows.isEmpty else { return .note("\(title): no rows.") }
        let truncated = output.isTruncated || cut
        var shownTitle = truncated ? "\(title) (output truncated: \(items.count) rows shown)" : title
        if fullWidth > width { shownTitle += " (\(width) of \(fullWidth) columns shown)" }
        return .form(DataForm(.result, title: shownTitle, reported: reported, items: items))
    }

    /// Field names for the columns: the header in lower case with other characters as `-`,
    /// made unique; `column-N` where a header is empty. Linear in the header's size: output
    /// is the requester's to shape, and this runs on the event loop.
    static func columnVariables(_ header: [String], width: Int) -> [String] {
        var names: [String] = []
        var taken: Set<String> = []
        var nextSuffix: [String: Int] = [:]
        for index in 0..<width {
            let text = index < header.count ? header[index] : ""
            var name = String(text.lowercased().unicodeScalars.map { scalar -> Character in
                ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "-"
            })
            name = name.split(separator: "-").joined(separator: "-")
            if name.isEmpty { name = "column-\(index + 1)" }
            var unique = name
            var suffix = nextSuffix[name] ?? 2
            while taken.contains(unique) {
                unique = "\(name)-\(suffix)"
                suffix += 1
            }
            nextSuffix[name] = suffix
            taken.insert(unique)
            names.append(unique)
        }
        return names
    }

    private static func withTail(_ headline: String, _ result: ProcessResult) -> String {
        let source = result.standardError.bytes.isEmpty ? result.standardOutput : result.standardError
        let lines = trimmingFinalNewline(source.text).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard !(lines.count == 1 && lines[0].isEmpty), !lines.isEmpty else { return headline }
        var tail = lines.suffix(errorTailLines).joined(separator: "\n")
        if tail.count > 4000 { tail = "…" + String(tail.suffix(4000)) }
        let (shown, _) = fit(tail, budget: stanzaBudget / 2)
        let stream = result.standardError.bytes.isEmpty ? "output" : "error output"
        return "\(headline)\nLast lines of its \(stream):\n\(shown)"
    }

    private static func truncationNote(_ output: CapturedOutput, cut: Bool) -> String {
        "[output truncated: \(output.totalCount) bytes written, \(cut ? "less than " : "")\(output.bytes.count) shown]"
    }

    /// The longest prefix of `text` whose XML-escaped form fits `budget` bytes.
    static func fit(_ text: String, budget: Int) -> (String, cut: Bool) {
        let kept = XMLEscaping.prefix(of: text, escapedBytes: budget)
        return (String(kept), kept.endIndex != text.endIndex)
    }

    static func escapedSize(_ text: String) -> Int {
        XMLEscaping.escapedByteCount(text)
    }

    private static func trimmingFinalNewline(_ text: String) -> String {
        var text = Substring(text)
        while text.last?.isNewline == true { text = text.dropLast() }
        return String(text)
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL",
                                      11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"]
        return names[signal] ?? "signal \(signal)"
    }
}
