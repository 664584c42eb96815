import CResolv
import NIOPosix

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

/// Why a DNS answer could not be read.
enum DNSMessageError: Error, Equatable {
    case truncated
    case badName
}

/// Reads the SRV records out of a raw DNS response (RFC 1035 §4).
enum DNSMessage {
    static let srvType: UInt16 = 33

    static func srvRecords(in message: [UInt8]) throws(DNSMessageError) -> [SRVRecord] {
        var reader = DNSReader(bytes: message)
        try reader.skip(4)  // id, flags
        let questions = try reader.readUInt16()
        let answers = try reader.readUInt16()
        try reader.skip(4)  // authority and additional counts
        for _ in 0..<questions {
            _ = try reader.readName()
            try reader.skip(4)  // type, class
        }
        var records: [SRVRecord] = []
        for _ in 0..<answers {
            _ = try reader.readName()
            let type = try reader.readUInt16()
            try reader.skip(6)  // class, ttl
            let length = Int(try reader.readUInt16())
            let end = reader.offset + length
            guard end <= message.count else { throw .truncated }
            if type == srvType {
                let priority = try reader.readUInt16()
                let weight = try reader.readUInt16()
                let port = try reader.readUInt16()
                let target = try reader.readName()
                records.append(SRVRecord(priority: priority, weight: weight, port: port, target: target))
            }
            reader.offset = end
        }
        return records
    }
}

private struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func skip(_ count: Int) throws(DNSMessageError) {
        guard offset + count <= bytes.count else { throw .truncated }
        offset += count
    }

    mutating func readUInt16() throws(DNSMessageError) -> UInt16 {
        guard offset + 2 <= bytes.count else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    /// A possibly compressed name; pointers are followed at most 64 times so loops end.
    mutating func readName() throws(DNSMessageError) -> String {
        var labels: [String] = []
        var position = offset
        var jumped = false
        var jumps = 0
        while true {
            guard position < bytes.count else { throw .truncated }
            let length = Int(bytes[position])
            if length == 0 {
                position += 1
                break
            }
            if length & 0xC0 == 0xC0 {
                guard position + 1 < bytes.count else { throw .truncated }
                jumps += 1
                guard jumps <= 64 else { throw .badName }
                let pointer = (length & 0x3F) << 8 | Int(bytes[position + 1])
                if !jumped { offset = position + 2 }
                jumped = true
                position = pointer
                continue
            }
            guard length & 0xC0 == 0, position + 1 + length <= bytes.count else { throw .badName }
            labels.append(String(decoding: bytes[(position + 1)...(position + length)], as: UTF8.self))
            position += 1 + length
        }
        if !jumped { offset = position }
        return labels.joined(separator: ".")
    }
}

/// SRV lookups through the system resolver, off the event loops.
enum SRVResolver {
    static func lookup(_ name: String) async -> [SRVRecord] {
        let answer: [UInt8]? = try? await NIOThreadPool.singleton.runIfActive {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let length = buffer.withUnsafeMutableBufferPointer { pointer in
                adhocd_dns_query(name, Int32(DNSMessage.srvType), pointer.baseAddress, Int32(pointer.count))
            }
            return length > 0 ? Array(buffer.prefix(Int(length))) : nil
        }
        guard let answer else { return [] }
        // A record with target "." (read as an empty name) is kept: alone, it means the service
        // is decidedly not offered (RFC 2782), which `ConnectionTarget.candidates` acts on.
        return (try? DNSMessage.srvRecords(in: answer)) ?? []
    }
}
