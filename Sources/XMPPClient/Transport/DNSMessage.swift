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
