/// A configuration value as the TOML parser reads it.
public indirect enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])
    /// Dates and times: valid TOML, but no adhocd key takes them.
    case dateTime(TOMLDateTime)

    /// The value's kind as a person calls it; used in errors instead of the value itself, so a
    /// misplaced secret is never echoed.
    public var kindName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .double: "a number"
        case .bool: "a boolean"
        case .array: "a list"
        case .table: "a table"
        case .dateTime(let value): "a \(value.kindName)"
        }
    }

    /// Parses TOML text into a table.
    public static func parseTOML(_ text: String, file: String) throws(ConfigurationError) -> [String: ConfigValue] {
        try parseTOMLWithLines(text, file: file).values
    }

    /// Parses TOML text, keeping the line of each key for later errors.
    public static func parseTOMLWithLines(_ text: String, file: String) throws(ConfigurationError) -> TOMLDocument {
        do {
            return try TOMLParser.parseWithLines(text)
        } catch {
            throw .syntax(file: file, line: error.line, column: error.column, message: error.message)
        }
    }

    /// A TOML file's bytes as text; refused, at the first bad byte, unless they are UTF-8.
    public static func tomlText(utf8 bytes: [UInt8], file: String) throws(ConfigurationError) -> String {
        do {
            return try TOMLParser.text(utf8: bytes)
        } catch {
            throw .syntax(file: file, line: error.line, column: error.column, message: error.message)
        }
    }
}
