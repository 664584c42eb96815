/// Durations in seconds, with percentiles.
struct Samples: Sendable {
    private var values: [Double] = []

    var count: Int { values.count }

    mutating func append(_ value: Double) { values.append(value) }

    mutating func merge(_ other: Samples) { values += other.values }

    func percentile(_ percent: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    var p50: Double { percentile(50) }
    var p99: Double { percentile(99) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func timed(_ body: () async throws -> Void) async throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try await body()
    return (clock.now - start).seconds
}

/// Figures as the report prints them.
enum Report {
    static func micros(_ seconds: Double) -> String {
        seconds.isNaN ? "n/a" : "\(Int((seconds * 1e6).rounded())) µs"
    }

    static func millis(_ seconds: Double) -> String {
        seconds.isNaN ? "n/a" : decimal(seconds * 1e3, places: 2) + " ms"
    }

    static func megabytes(_ bytes: Int) -> String {
        decimal(Double(bytes) / 1_048_576, places: 1) + " MiB"
    }

    static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "n/a" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        let fraction = String(scaled % Int(scale))
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return "\(sign)\(whole)" }
        return "\(sign)\(whole)." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// `value` as "1.23×".
    static func times(_ value: Double) -> String {
        value.isFinite ? decimal(value, places: 2) + "×" : "n/a"
    }
}

/// A text table with aligned columns, readable as Markdown.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    func render() -> String {
        let columns = header.count
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < columns { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            "| " + (0..<columns).map { index in
                let cell = index < cells.count ? cells[index] : ""
                return cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
