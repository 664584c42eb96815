/// RFC 4648 base64 with padding, as SASL (RFC 6120 §6.4.2) and entity capabilities write it.
/// Decoding is strict: no whitespace, no missing or misplaced padding, no stray bits.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let first = bytes[index]
            let second = remaining > 1 ? bytes[index + 1] : 0
            let third = remaining > 2 ? bytes[index + 2] : 0
            output.append(alphabet[Int(first >> 2)])
            output.append(alphabet[Int((first & 0x03) << 4 | second >> 4)])
            output.append(remaining > 1 ? alphabet[Int((second & 0x0f) << 2 | third >> 6)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(third & 0x3f)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes, or nil for anything but canonical padded base64.
    static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            let isLast = index + 4 == characters.count
            let padding = isLast ? (characters[index + 3] == UInt8(ascii: "=") ? (characters[index + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
            var quantum: UInt32 = 0
            for offset in 0..<(4 - padding) {
                let value = values[Int(characters[index + offset])]
                guard value != 0xff else { return nil }
                quantum = quantum << 6 | UInt32(value)
            }
            quantum <<= UInt32(6 * padding)
            switch padding {
            case 0:
                output += [UInt8(quantum >> 16 & 0xff), UInt8(quantum >> 8 & 0xff), UInt8(quantum & 0xff)]
            case 1:
                guard quantum & 0xff == 0 else { return nil }
                output += [UInt8(quantum >> 16 & 0xff), UInt8(quantum >> 8 & 0xff)]
            default:
                guard quantum & 0xffff == 0 else { return nil }
                output.append(UInt8(quantum >> 16 & 0xff))
            }
            index += 4
        }
        return output
    }
}
