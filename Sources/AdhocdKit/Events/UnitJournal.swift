import ProcessSupervision
import XMPPClient
import XMPPCore
#if canImport(Glibc)
import Glibc
#endif

/// The last lines systemd's journal holds for a unit: `journalctl --unit=UNIT -n 10 --no-pager`,
/// run without a shell through the commands.d process runner (time limit, capped output). The
/// one place adhocd runs journalctl, so switching runners touches nothing else.
struct UnitJournal: Sendable {
    var lineCount = 10
    var timeout: Duration = .seconds(5)
    /// journalctl's path; nil when it is not installed.
    var program: String? = ["/usr/bin/journalctl", "/bin/journalctl"].first { access($0, X_OK) == 0 }

    func lastLines(of unit: String) async -> JournalExcerpt {
        guard let program else { return .unreadable("journalctl is not installed") }
        let spec = ProcessSpec(
            argv: [program, "--unit=\(unit)", "-n", "\(lineCount)", "--no-pager"],
            environment: ["LANG": "C.UTF-8", "SYSTEMD_COLORS": "0"],
            timeout: timeout, killGrace: .seconds(1), outputLimit: 16 * 1024)
        do {
            let result = try await ProcessRunner().run(spec)
            if result.timedOut { return .unreadable("journalctl did not answer within \(timeout.formattedSeconds)") }
            let status: Int32? = if case .exited(let code) = result.ending { code } else { nil }
            return JournalExcerpt(status: status, output: result.standardOutput.text, errors: result.standardError.text, limit: lineCount)
        } catch {
            return .unreadable(error.description)
        }
    }
}

/// What the journal told about a unit.
enum JournalExcerpt: Sendable, Equatable {
    case lines([String])
    case empty
    /// Why there are no lines to show (permissions, no journalctl).
    case unreadable(String)

    static let lineLimit = 300

    /// Reads journalctl's answer: `status` nil when it was killed by a signal.
    init(status: Int32?, output: String, errors: String, limit: Int) {
        let lines = Self.entries(in: output).suffix(limit)
        let denied = errors.contains("insufficient permissions") || errors.contains("not seeing messages from other users")
        if !lines.isEmpty, status == 0 || status == nil {
            self = .lines(Array(lines))
        } else if lines.isEmpty, denied {
            self = .unreadable("adhocd's user may not read the system journal (add it to group systemd-journal or adm)")
        } else if lines.isEmpty, status == 0 {
            self = .empty
        } else {
            let reason = errors.split(whereSeparator: \.isNewline).last.map { String($0).trimmingWhitespace() }
            self = .unreadable("journalctl failed" + (reason.map { ": \($0.prefix(200))" } ?? ""))
        }
    }

    /// Journal lines, without journalctl's `-- No entries --` and boot markers, each cut to `lineLimit`.
    private static func entries(in output: String) -> [String] {
        var entries: [String] = []
        for line in output.split(whereSeparator: \.isNewline) where !line.hasPrefix("-- ") && !String(line).trimmingWhitespace().isEmpty {
            entries.append(line.count <= lineLimit ? String(line) : String(line.prefix(lineLimit - 1)) + "…")
        }
        return entries
    }

    /// The part of an alert that shows it.
    var text: String {
        switch self {
        case .lines(let lines): "Last journal lines:\n" + lines.joined(separator: "\n")
        case .empty: "The journal holds no lines for it."
        case .unreadable(let reason): "Its journal lines cannot be read: \(reason)."
        }
    }
}
