/// DNS answers as the resolver returns them (`DNSMessage.srvRecords(in:)`) and the RFC 2782
/// order of their records (`SRVRecord.ordered`). The two source files are compiled into this
/// target (fuzz/run), so no network stack is linked.
///
/// The whole input is read twice: as a raw DNS message (anything goes: no crash, no more
/// records than answers), and as choices for a well-formed answer built here (records with
/// names written out, compressed to the question, or ending in a pointer; other record types
/// between), which must read back as exactly the records put in. The records are then
/// ordered with random picks from the input: the result is a permutation of them, by priority.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSRV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let records = try? DNSMessage.srvRecords(in: bytes), bytes.count >= 8 {
        let answers = Int(bytes[6]) << 8 | Int(bytes[7])
        require(records.count <= answers, "\(records.count) records from \(answers) answers")
    }

    var input = FuzzInput(bytes)
    var answer = DNSAnswer(question: DNSAnswer.name(&input, labels: input.int(in: 1...4)))
    var expected: [SRVRecord] = []
    for _ in 0..<input.int(in: 0...6) {
        if input.int(in: 0...3) == 0 {
            answer.addAddressRecord()
            continue
        }
        let record = answer.addSRVRecord(&input)
        expected.append(record)
    }
    do {
        let records = try DNSMessage.srvRecords(in: answer.bytes)
        require(records == expected, "built answer reads as \(records), not \(expected)")
    } catch {
        require(false, "a well-formed answer is refused: \(error)")
    }

    let ordered = SRVRecord.ordered(expected) { upperBound in input.int(in: 0...max(0, upperBound)) }
    require(ordered.count == expected.count && expected.allSatisfy { record in
        ordered.filter { $0 == record }.count == expected.filter { $0 == record }.count
    }, "ordering lost or added records")
    require(zip(ordered, ordered.dropFirst()).allSatisfy { $0.priority <= $1.priority }, "ordering is not by priority")
    return 0
}

/// A DNS response built from fuzz choices, with its SRV records known.
private struct DNSAnswer {
    private(set) var bytes: [UInt8]
    private let question: [[UInt8]]
    private var answers = 0

    init(question: [[UInt8]]) {
        self.question = question
        bytes = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes += Self.encode(question)
        bytes += [0, 33, 0, 1]
    }

    static func name(_ input: inout FuzzInput, labels: Int) -> [[UInt8]] {
        (0..<labels).map { _ in (0..<input.int(in: 1...12)).map { _ in input.byte() } }
    }

    static func encode(_ labels: [[UInt8]]) -> [UInt8] {
        labels.flatMap { [UInt8($0.count)] + $0 } + [0]
    }

    static func text(_ labels: [[UInt8]]) -> String {
        labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
    }

    mutating func addAddressRecord() {
        bytes += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]
        countAnswer()
    }

    mutating func addSRVRecord(_ input: inout FuzzInput) -> SRVRecord {
        let priority = UInt16(input.int(in: 0...65_535))
        let weight = UInt16(input.int(in: 0...65_535))
        let port = UInt16(input.int(in: 0...65_535))
        var target: [UInt8]
        let name: String
        switch input.int(in: 0...2) {
        case 0:  // the question's name, compressed
            target = [0xC0, 12]
            name = Self.text(question)
        case 1:  // own labels, then the question's name
            let labels = Self.name(&input, labels: input.int(in: 1...2))
            target = Self.encode(labels).dropLast() + [0xC0, 12]
            name = Self.text(labels + question)
        default:
            let labels = Self.name(&input, labels: input.int(in: 0...3))
            target = Self.encode(labels)
            name = Self.text(labels)
        }
        let data = [UInt8(priority >> 8), UInt8(priority & 0xFF), UInt8(weight >> 8), UInt8(weight & 0xFF),
                    UInt8(port >> 8), UInt8(port & 0xFF)] + target
        bytes += [0xC0, 12, 0, 33, 0, 1, 0, 0, 0, 60, UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
        countAnswer()
        return SRVRecord(priority: priority, weight: weight, port: port, target: name)
    }

    private mutating func countAnswer() {
        answers += 1
        bytes[6] = UInt8(answers >> 8)
        bytes[7] = UInt8(answers & 0xFF)
    }
}
