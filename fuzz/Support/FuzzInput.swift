#if canImport(Glibc)
import Glibc
#endif

/// The fuzz input as a source of choices: targets take their decisions (where to split a
/// stream, which type to parse as) from its first bytes and treat the rest as the document, so
/// libFuzzer's mutations steer both.
struct FuzzInput {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isExhausted: Bool { offset >= bytes.count }

    /// The next byte, or 0 once the input is used up (so short inputs still make choices).
    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() -> Bool { byte() & 1 == 1 }

    /// A number in `range`, from one or two bytes.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = range.upperBound - range.lowerBound + 1
        let raw = span > 256 ? Int(byte()) << 8 | Int(byte()) : Int(byte())
        return range.lowerBound + raw % span
    }

    /// Everything not taken yet.
    mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return offset < bytes.count ? Array(bytes[offset...]) : []
    }

    /// Everything not taken yet, as text (invalid UTF-8 repaired, as files are read).
    mutating func restAsText() -> String {
        String(decoding: rest(), as: UTF8.self)
    }

    /// Up to the first newline (consumed), as text; the rest of the input stays.
    mutating func line() -> String {
        var taken: [UInt8] = []
        while offset < bytes.count {
            let next = bytes[offset]
            offset += 1
            if next == UInt8(ascii: "\n") { break }
            taken.append(next)
        }
        return String(decoding: taken, as: UTF8.self)
    }
}

/// Stops the run when a property does not hold: libFuzzer records the input as a crash and the
/// message says which property broke. `abort()` rather than `fatalError`, whose backtrace
/// confuses AddressSanitizer into a second report.
func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() {
        fputs("property violated (\(file):\(line)): \(message())\n", stderr)
        abort()
    }
}
