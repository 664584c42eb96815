import TOMLConfig

/// One thing `adhocd check` found, printed as `FILE:LINE: problem — fix`.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// adhocd would refuse to start or reload.
        case error
        /// adhocd runs, but probably not as meant.
        case warning
        /// Not a problem as far as can be told offline, but something only the running daemon
        /// can confirm (a node that introspection makes while its service runs).
        case note
    }

    public var severity: Severity
    public var file: String
    /// Nil when the problem is about the file as a whole.
    public var line: Int?
    public var problem: String
    /// What to do about it; nil when the problem says it already.
    public var fix: String?

    public init(severity: Severity, file: String, line: Int? = nil, problem: String, fix: String? = nil) {
        self.severity = severity
        self.file = file
        self.line = line
        self.problem = problem
        self.fix = fix
    }

    /// The level journald records it at (sd-daemon(3)): err, warning or notice.
    public var syslogPriority: Int {
        switch severity {
        case .error: 3
        case .warning: 4
        case .note: 5
        }
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        let label = severity == .error ? "" : "\(severity.rawValue): "
        return "\(place): \(label)\(problem)" + (fix.map { " — \($0)" } ?? "")
    }
}

extension ConfigurationProblem {
    /// A reader's error, placed on its line and given a fix. `lines` locates keys in the file.
    public init(_ error: ConfigurationError, lines: TOMLKeyLines) {
        switch error {
        case .unreadable(let file, let reason):
            self.init(
                severity: .error, file: file, problem: "cannot read the configuration: \(reason)",
                fix: "check the path, and that the user adhocd runs as may read it (root:adhocd, mode 640)")
        case .syntax(let file, let line, let column, let message):
            self.init(
                severity: .error, file: file, line: line, problem: "TOML syntax error at column \(column): \(message)",
                fix: "fix the syntax: strings in quotes, lists in [ ], one key = value per line")
        case .invalid(let file, let key, let problem):
            self.init(severity: .error, file: file, line: lines.line(for: key), problem: "\(key): \(problem)", fix: Self.fix(key: key, problem: problem))
            if problem.hasPrefix("is required") { pointAtMisspelling(of: key, lines: lines) }
        }
    }

    /// A required key that is missing is often there under a misspelt name, which the reader
    /// has not reached yet: point at that line instead.
    private mutating func pointAtMisspelling(of key: String, lines: TOMLKeyLines) {
        let table = key.lastIndex(of: ".").map { String(key[..<$0]) } ?? ""
        let name = key.lastIndex(of: ".").map { String(key[key.index(after: $0)...]) } ?? key
        guard let typo = lines.keys(in: table).first(where: { isLikelyTypo($0, of: name) }) else { return }
        line = lines.line(for: table.isEmpty ? typo : "\(table).\(typo)")
        fix = "rename \(typo) to \(name)"
    }

    /// The reader's messages say what is wrong and what is expected; the fix says where to act.
    static func fix(key: String, problem: String) -> String {
        let table = Self.tableName(of: key)
        let name = key.split(separator: ".").last.map(String.init) ?? key
        if problem.hasPrefix("unknown key") {
            return "correct or remove it; adhocd.toml(5) lists the keys of \(table)"
        }
        if problem.hasPrefix("is required") {
            return "add \(name) = … to \(table)"
        }
        if problem.hasSuffix("table is required") {
            return "add the [\(key)] table"
        }
        return "see \(table) in adhocd.toml(5)"
    }

    /// `account.jid` → `[account]`, `dbus[2].units` → `[[dbus]] block 2`, `port` → `the top level`.
    static func tableName(of key: String) -> String {
        guard let dot = key.lastIndex(of: ".") else { return "the top level" }
        let table = key[..<dot]
        if table.hasSuffix("]"), let bracket = table.lastIndex(of: "[") {
            return "[[\(table[..<bracket])]] block \(table[table.index(after: bracket)..<table.index(before: table.endIndex)])"
        }
        return "[\(table)]"
    }
}
