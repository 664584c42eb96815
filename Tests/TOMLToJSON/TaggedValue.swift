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
        case .dateTime(let value): return dateTime(value)
        }
    }

    private static func dateTime(_ value: TOMLDateTime) -> [String: String] {
        var text = ""
        if let date = value.date { text += digits(date.year, 4) + "-" + digits(date.month, 2) + "-" + digits(date.day, 2) }
        if let time = value.time {
            if value.date != nil { text += "T" }
            text += digits(time.hour, 2) + ":" + digits(time.minute, 2) + ":" + digits(time.second, 2) + "." + digits(time.nanosecond / 1000, 6)
        }
        guard let offset = value.offsetMinutes else { return tagged(value.date == nil ? "time-local" : value.time == nil ? "date-local" : "datetime-local", text) }
        text += (offset < 0 ? "-" : "+") + digits(abs(offset) / 60, 2) + ":" + digits(abs(offset) % 60, 2)
        return tagged("datetime", text)
    }

    private static func digits(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func tagged(_ type: String, _ value: String) -> [String: String] {
        ["type": type, "value": value]
    }
}
