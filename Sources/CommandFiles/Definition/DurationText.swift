import XMPPCore

/// Durations as definitions write them: `"30s"`, `"2m"`, `"1h30m"`, `"500ms"`, or a plain
/// number of seconds.
enum DurationText {
    /// Nil when `text` is not a duration.
    static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingWhitespace()
        if let seconds = Double(trimmed), seconds.isFinite { return .clampedMilliseconds(seconds * 1000) }
        var total = Duration.zero
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let amount = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count).drop { $0 == " " }
            let milliseconds: Double
            switch unit {
            case "ms": milliseconds = 1
            case "s": milliseconds = 1000
            case "m", "min": milliseconds = 60_000
            case "h": milliseconds = 3_600_000
            default: return nil
            }
            // Clamped, so the sum cannot overflow either: later checks refuse what is too long.
            total = min(total + .clampedMilliseconds(amount * milliseconds), .clampedMilliseconds(Duration.longestMilliseconds))
        }
        return total
    }
}

extension Duration {
    /// Far beyond any limit a definition may set (about 31 700 years), and far from overflowing.
    static let longestMilliseconds = 1e15

    /// `milliseconds` as a duration, clamped to ±`longestMilliseconds`: text like `1e300` or
    /// `99999999999999h` must fail a range check, not trap converting to an integer.
    static func clampedMilliseconds(_ milliseconds: Double) -> Duration {
        guard milliseconds.isFinite else { return .milliseconds(Int64(milliseconds > 0 ? longestMilliseconds : -longestMilliseconds)) }
        return .milliseconds(Int64(max(-longestMilliseconds, min(longestMilliseconds, milliseconds)).rounded()))
    }

    /// Whole and fractional seconds, for messages and the audit log.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// `30 s`, `2.5 s`, `1 min 30 s`: how a person reads a limit.
    var spoken: String {
        let total = seconds
        if total >= 60, total.truncatingRemainder(dividingBy: 1) == 0 {
            let minutes = Int(total) / 60, rest = Int(total) % 60
            return rest == 0 ? "\(minutes) min" : "\(minutes) min \(rest) s"
        }
        return total == total.rounded() ? "\(Int(total)) s" : "\((total * 10).rounded() / 10) s"
    }
}
