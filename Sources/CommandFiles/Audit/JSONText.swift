/// The one JSON writer: the audit log's lines. Hand-written rather than JSONEncoder, because
/// the standard encoder loses the order of an object's keys (docs/architecture.md, "JSON").
enum JSONText {
    static func string(_ text: String) -> String {
        string(text, limit: .max)
    }

    /// `text` as a JSON string whose escaped contents stay within `limit` bytes: a longer one
    /// is cut at a character boundary and ends with a note of its full size.
    static func string(_ text: String, limit: Int) -> String {
        var pieces: [String] = []
        var size = 0
        for scalar in text.unicodeScalars {
            let piece = escape(scalar)
            if size > limit - piece.utf8.count {
                let note = "…[cut: \(text.utf8.count) bytes]"
                while size > limit - note.utf8.count, let last = pieces.popLast() { size -= last.utf8.count }
                return "\"" + pieces.joined() + note + "\""
            }
            pieces.append(piece)
            size += piece.utf8.count
        }
        return "\"" + pieces.joined() + "\""
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
            let hex = String(scalar.value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: return String(scalar)
        }
    }

    /// A list of strings, each cut to `limit` bytes as `string(_:limit:)` does.
    static func array(_ items: [String], limit: Int = .max) -> String {
        "[" + items.map { string($0, limit: limit) }.joined(separator: ",") + "]"
    }

    /// `{"a":…,"b":…}` from already encoded values, in the given order.
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return "null" }
        // Milliseconds are precision enough for durations.
        let milliseconds = Int64((value * 1000).rounded())
        let whole = milliseconds / 1000, fraction = abs(milliseconds % 1000)
        let digits = String(fraction)
        return "\(whole).\(String(repeating: "0", count: 3 - digits.count))\(digits)"
    }
}
