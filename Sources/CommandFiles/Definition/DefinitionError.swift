import TOMLConfig

/// Why a file in commands.d was not loaded: the file, the line when known, the key, and what
/// to do about it. The file is skipped; the others load regardless.
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    /// The key at fault (`param[2].type`), when one is.
    public var key: String?
    /// What is wrong and how to fix it.
    public var problem: String

    public init(file: String, line: Int? = nil, key: String? = nil, problem: String) {
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
    }

    /// A configuration error from a definition's TOML, placed at the line of its key.
    init(_ error: ConfigurationError, keyLines: TOMLKeyLines, lineOffset: Int = 0) {
        switch error {
        case .unreadable(let file, let reason):
            self.init(file: file, problem: "cannot be read: \(reason)")
        case .syntax(let file, let line, let column, let message):
            self.init(file: file, line: line + lineOffset, problem: "TOML syntax error at column \(column): \(message)")
        case .invalid(let file, let key, let problem):
            self.init(file: file, line: keyLines.line(for: key).map { $0 + lineOffset }, key: key, problem: problem)
        }
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.map { "\(place): \($0): \(problem)" } ?? "\(place): \(problem)"
    }
}
