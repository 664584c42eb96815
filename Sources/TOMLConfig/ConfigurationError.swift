/// What is wrong with a configuration, naming the file and key. Never contains a secret.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case syntax(file: String, line: Int, column: Int, message: String)
    case invalid(file: String, key: String, problem: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the configuration: \(reason)"
        case .syntax(let file, let line, let column, let message):
            "\(file):\(line):\(column): TOML syntax error: \(message)"
        case .invalid(let file, let key, let problem):
            "\(file): \(key): \(problem)"
        }
    }
}
