import TOMLConfig

/// The tagged JSON form of configuration values that the differential test compares: the
/// Python side (Tests/toml/tomljson.py) writes tomllib's values the same way.
///
/// - strings: `{"type": "string", "value": text}`
/// - integers: `{"type": "integer", "value": "-12"}` (decimal)
/// - floats: `{"type": "float", "value": "1e+20"}`, the shortest text that reads back as the same
///   double, or `nan`, `inf`, `-inf`
/// - booleans: `{"type": "bool", "value": "true"}`
/// - dates and times: types `datetime` (with an offset), `datetime-local`, `date-local`,
///   `time-local`; values `YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM`, the parts the type has, with six
///   fraction digits (tomllib keeps microseconds)
enum TaggedValue {
    static func table(_ table: [String: ConfigValue]) -> [String: Any] {
        table.mapValues(value)
    }

    static func value(_ value: ConfigValue) -> Any {
        switch value {
        case .string(let text): return tagged("string", text)
        case .integer(let number): return tagged("integer", String(number))
        case .double(let number):
            if number.isNaN { return tagged("float", "nan") }
            if number.isInfinite { return tagged("float", number < 0 ? "-inf" : "inf") }
            return tagged("float", "\(number)")
        case .bool(let flag): return tagged("bool", flag ? "true" : "false")
        case .array(let items): return items.map(Self.value)
        case .table(let table): return Self.table(table)
        case .other(let kind): return tagged("unsupported", kind)
        }
    }

    private static func tagged(_ type: String, _ value: String) -> [String: String] {
        ["type": type, "value": value]
    }
}
