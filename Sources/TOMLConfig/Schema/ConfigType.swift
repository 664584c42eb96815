/// What a key's value must be (its TOML type and range), how to turn it into a Swift value,
/// and how the reference names it. Errors never repeat the value itself, only its kind, so a
/// misplaced secret is not echoed.
public struct ConfigType<Value: Sendable>: Sendable {
    /// The type as the reference shows it, in Markdown: "integer, 1 … 65535".
    public let summary: String
    let decode: @Sendable (ConfigValue, KeyPlace) throws(ValueProblem) -> Value
    /// A value of this type as written in TOML (for defaults), in Markdown.
    let written: @Sendable (Value) -> String

    public init(
        summary: String, written: @escaping @Sendable (Value) -> String,
        decode: @escaping @Sendable (ConfigValue, KeyPlace) throws(ValueProblem) -> Value
    ) {
        self.summary = summary
        self.written = written
        self.decode = decode
    }

    /// The same type under another name in the reference, for a string whose form the reader
    /// checks itself ("`session`, `system` or a D-Bus address").
    public func described(as summary: String) -> ConfigType {
        ConfigType(summary: summary, written: written, decode: decode)
    }
}

/// Why a value does not fit its key's type; `ConfigSection` adds the file and key.
public struct ValueProblem: Error, Sendable, Equatable {
    public var text: String

    public init(_ text: String) {
        self.text = text
    }
}

/// Where a value being decoded sits, for types that open a table.
public struct KeyPlace: Sendable {
    public let file: String
    public let path: String
    public let keyLines: TOMLKeyLines
}

extension ConfigType where Value == String {
    public static var string: ConfigType {
        ConfigType(summary: "string", written: tomlString) { (value, _) throws(ValueProblem) in
            guard case .string(let text) = value else { throw ValueProblem("expected a string, found \(value.kindName)") }
            return text
        }
    }
}

extension ConfigType where Value == Int {
    public static func integer(_ range: ClosedRange<Int>) -> ConfigType {
        ConfigType(summary: "integer, \(range.lowerBound) … \(range.upperBound)", written: { String($0) }) { (value, _) throws(ValueProblem) in
            guard case .integer(let number) = value else { throw ValueProblem("expected an integer, found \(value.kindName)") }
            guard range.contains(number) else {
                throw ValueProblem("must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
            }
            return number
        }
    }
}

extension ConfigType where Value == Double {
    /// A number, integer or decimal; `unit` ("percent", "per processor") is named in errors.
    public static func number(_ range: ClosedRange<Double>, unit: String? = nil) -> ConfigType {
        let summary = "number\(unit.map { " (\($0))" } ?? ""), \(plainNumber(range.lowerBound)) … \(plainNumber(range.upperBound))"
        return ConfigType(summary: summary, written: plainNumber) { (value, _) throws(ValueProblem) in
            let number: Double
            switch value {
            case .integer(let integer): number = Double(integer)
            case .double(let double): number = double
            default: throw ValueProblem("expected a number\(unit.map { " (\($0))" } ?? ""), found \(value.kindName)")
            }
            guard range.contains(number) else {
                let bounds = "between \(plainNumber(range.lowerBound)) and \(plainNumber(range.upperBound))"
                throw ValueProblem("must be \(bounds)\(unit.map { " \($0)" } ?? ""), found \(plainNumber(number))")
            }
            return number
        }
    }
}

extension ConfigType where Value == Duration {
    /// Seconds, as an integer or a decimal number; kept to the millisecond.
    public static func seconds(_ range: ClosedRange<Double>) -> ConfigType {
        let number = ConfigType<Double>.number(range, unit: "seconds")
        let summary = "seconds, \(plainNumber(range.lowerBound)) … \(plainNumber(range.upperBound))"
        return ConfigType(summary: summary, written: { plainNumber(seconds(of: $0)) }) { (value, place) throws(ValueProblem) in
            .milliseconds(Int64((try number.decode(value, place) * 1000).rounded()))
        }
    }

    private static func seconds(of duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension ConfigType where Value == Bool {
    public static var boolean: ConfigType {
        ConfigType(summary: "boolean", written: { $0 ? "`true`" : "`false`" }) { (value, _) throws(ValueProblem) in
            guard case .bool(let flag) = value else { throw ValueProblem("expected true or false, found \(value.kindName)") }
            return flag
        }
    }
}

extension ConfigType where Value == [String] {
    public static var strings: ConfigType {
        ConfigType(summary: "list of strings", written: { "`[" + $0.map(tomlLiteral).joined(separator: ", ") + "]`" }) { (value, _) throws(ValueProblem) in
            guard case .array(let items) = value else { throw ValueProblem("expected a list of strings, found \(value.kindName)") }
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw ValueProblem("item \(index + 1) should be a string, found \(item.kindName)")
                }
                strings.append(text)
            }
            return strings
        }
    }
}

extension ConfigType where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of the enumeration's raw values. `otherwise` words the problem with another value
    /// when the reader has advice to give; by default it lists the choices.
    public static func choice(_ type: Value.Type, otherwise: (@Sendable (String) -> String)? = nil) -> ConfigType {
        let names = Value.allCases.map(\.rawValue)
        let summary = "one of " + names.map { "`\($0)`" }.joined(separator: ", ")
        return ConfigType(summary: summary, written: { tomlString($0.rawValue) }) { (value, _) throws(ValueProblem) in
            guard case .string(let text) = value else { throw ValueProblem("expected a string, found \(value.kindName)") }
            guard let choice = Value(rawValue: text) else {
                if let otherwise { throw ValueProblem(otherwise(text)) }
                // Two choices read best as a pair; more as a list.
                let expected = names.count == 2
                    ? "must be \"\(names[0])\" or \"\(names[1])\""
                    : "must be one of \(names.joined(separator: ", "))"
                throw ValueProblem("\(expected), found \"\(text)\"")
            }
            return choice
        }
    }
}

extension ConfigType where Value == ConfigValue {
    /// Any value: the reader decodes it itself (a duration written as text or a number).
    /// `summary` says what it takes.
    public static func value(_ summary: String) -> ConfigType {
        ConfigType(summary: summary, written: { _ in "" }) { (value, _) throws(ValueProblem) in value }
    }
}

extension ConfigType where Value == ConfigSection {
    /// A table (`[name]` or `name = { … }`) whose keys `schema` declares; nil for a table of free
    /// keys (environment variables) that its reader checks itself.
    public static func table(_ schema: ConfigTable?) -> ConfigType {
        ConfigType(summary: "table", written: { _ in "" }) { (value, place) throws(ValueProblem) in
            guard case .table(let table) = value else {
                throw ValueProblem("expected a table ([\(place.path)]), found \(value.kindName)")
            }
            return ConfigSection(file: place.file, path: place.path, values: table, keyLines: place.keyLines, schema: schema)
        }
    }
}

extension ConfigType where Value == [ConfigSection] {
    /// An array of tables (`[[name]]` blocks), each a section named `name[N]` (from 1).
    public static func tables(_ schema: ConfigTable) -> ConfigType {
        ConfigType(summary: "array of tables", written: { _ in "" }) { (value, place) throws(ValueProblem) in
            guard case .array(let items) = value else {
                throw ValueProblem("expected [[\(place.path)]] tables, found \(value.kindName)")
            }
            var sections: [ConfigSection] = []
            for (index, item) in items.enumerated() {
                guard case .table(let table) = item else {
                    throw ValueProblem("expected [[\(place.path)]] tables, found \(item.kindName) as item \(index + 1)")
                }
                sections.append(ConfigSection(
                    file: place.file, path: "\(place.path)[\(index + 1)]", values: table, keyLines: place.keyLines, schema: schema))
            }
            return sections
        }
    }
}

/// 100 rather than 100.0: limits and values as people write them.
func plainNumber(_ number: Double) -> String {
    number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
}

/// A string as TOML writes it, in Markdown code: `"adhocd"`.
func tomlString(_ text: String) -> String {
    "`\(tomlLiteral(text))`"
}

private func tomlLiteral(_ text: String) -> String {
    var quoted = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": quoted += "\\\""
        case "\\": quoted += "\\\\"
        default: quoted.unicodeScalars.append(scalar)
        }
    }
    return quoted + "\""
}
