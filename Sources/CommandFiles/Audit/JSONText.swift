#if canImport(Glibc)
import Glibc
#endif

/// Just enough JSON writing for the audit log, without Foundation.
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

    static func array(_ items: [String]) -> String {
        "[" + items.map(string).joined(separator: ",") + "]"
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

    /// The current UTC time as RFC 3339 with milliseconds: `2026-11-25T07:38:00.123Z`.
    static func timestamp(seconds: Int, nanoseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = nanoseconds / 1_000_000
        let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }

    static func now() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return timestamp(seconds: Int(now.tv_sec), nanoseconds: Int(now.tv_nsec))
    }
}
