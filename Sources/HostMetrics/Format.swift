/// Human formatting of host numbers, shared by `status` and the health monitor.
public enum Format {
    /// "3 d 4 h 5 min", "4 h 5 min", "5 min", "42 s".
    public static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e12 else { return "unknown" }
        let total = Int(seconds.rounded(.down))
        let days = total / 86_400, hours = total % 86_400 / 3600, minutes = total % 3600 / 60
        if days > 0 { return "\(days) d \(hours) h \(minutes) min" }
        if hours > 0 { return "\(hours) h \(minutes) min" }
        if minutes > 0 { return "\(minutes) min" }
        return "\(total) s"
    }

    /// Binary units with one decimal: "512 B", "1.5 KiB", "7.8 GiB".
    public static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : "\(decimal(value, places: 1)) \(units[unit])"
    }

    /// Fixed decimal places without Foundation's formatters.
    public static func decimal(_ value: Double, places: Int) -> String {
        // Outside Int64's range (or not a number) there is nothing sensible to round.
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        let fraction = String(scaled % Int64(scale))
        let padded = String(repeating: "0", count: max(0, places - fraction.count)) + fraction
        return (value < 0 && scaled != 0 ? "-" : "") + (places > 0 ? "\(whole).\(padded)" : "\(whole)")
    }
}
