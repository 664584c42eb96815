/// What a program wrote to one stream, up to a cap: the first bytes (standard output, which is
/// the result) or the last ones (standard error, whose end says what went wrong).
public struct CapturedOutput: Sendable, Equatable {
    public enum Keep: Sendable {
        case head, tail
    }

    /// The bytes kept.
    public private(set) var bytes: [UInt8] = []
    /// Every byte the program wrote, kept or not.
    public private(set) var totalCount = 0
    public let limit: Int
    public let keep: Keep

    public init(limit: Int, keep: Keep) {
        self.limit = max(0, limit)
        self.keep = keep
    }

    public var isTruncated: Bool { totalCount > bytes.count }

    /// As text; bytes that are not UTF-8 become U+FFFD, so any output is safe to show.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func append(_ chunk: UnsafeRawBufferPointer) {
        totalCount += chunk.count
        switch keep {
        case .head:
            let room = limit - bytes.count
            if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
        case .tail:
            bytes.append(contentsOf: chunk.suffix(limit))
            // Trim in batches, not per chunk, so a chatty program costs linear time.
            if bytes.count > 2 * limit { bytes.removeFirst(bytes.count - limit) }
        }
    }

    /// Call once the stream has ended.
    public mutating func finish() {
        if keep == .tail, bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
    }
}
