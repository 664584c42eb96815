import TOMLConfig

/// Writes configuration values back as TOML (one line per top-level key, tables inline), for
/// round-trip properties, and compares values with NaN equal to itself.
enum TOMLWriter {
    static func document(_ table: [String: ConfigValue]) -> String {
        table.keys.sorted().map { key in quoted(key) + " = " + write(table[key] ?? .bool(false)) }.joined(separator: "\n")
    }

    static func write(_ value: ConfigValue) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .integer(let number): String(number)
        case .double(let number) where number.isNaN: "nan"
        case .double(let number) where number.isInfinite: number < 0 ? "-inf" : "inf"
        case .double(let number): "\(number)"
        case .bool(let flag): flag ? "true" : "false"
        case .array(let items): "[" + items.map(write).joined(separator: ", ") + "]"
        case .table(let table): "{" + table.keys.sorted().map { quoted($0) + " = " + write(table[$0] ?? .bool(false)) }.joined(separator: ", ") + "}"
        case .dateTime(let value): value.description
        }
    }

    /// A basic string; quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" {
                output += "\\" + String(scalar)
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    /// Equal values, doubles compared by bits (so 0.0 and -0.0 differ) and every NaN equal.
    static func same(_ left: ConfigValue, _ right: ConfigValue) -> Bool {
        switch (left, right) {
        case (.double(let a), .double(let b)):
            (a.isNaN && b.isNaN) || a.bitPattern == b.bitPattern
        case (.array(let a), .array(let b)):
            a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case (.table(let a), .table(let b)):
            a.count == b.count && a.allSatisfy { key, value in b[key].map { same(value, $0) } ?? false }
        default:
            left == right
        }
    }
}
