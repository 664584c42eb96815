/// One DNS SRV record (RFC 2782).
public struct SRVRecord: Sendable, Equatable {
    public var priority: UInt16
    public var weight: UInt16
    public var port: UInt16
    public var target: String

    public init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }

    /// RFC 2782 order: ascending priority, and within one priority a weighted random pick
    /// repeated until the records run out. `random` returns a value in 0...upperBound.
    public static func ordered(_ records: [SRVRecord], random: (Int) -> Int = { Int.random(in: 0...$0) }) -> [SRVRecord] {
        var result: [SRVRecord] = []
        let byPriority = Dictionary(grouping: records, by: \.priority)
        for priority in byPriority.keys.sorted() {
            // Zero-weight records first, as RFC 2782 asks, so they get a small chance.
            var remaining = (byPriority[priority] ?? []).sorted { $0.weight < $1.weight }
            while !remaining.isEmpty {
                let total = remaining.reduce(0) { $0 + Int($1.weight) }
                let pick = random(total)
                var running = 0
                let index = remaining.firstIndex { record in
                    running += Int(record.weight)
                    return running >= pick
                } ?? 0
                result.append(remaining.remove(at: index))
            }
        }
        return result
    }
}
