/// Escaping of character data and attribute values.
///
/// Attribute values are written in single quotes, so both quote characters are escaped there;
/// `>` is always escaped so `]]>` cannot appear. A raw CR would be normalised away by the reader
/// (XML 1.0 §2.11), and attribute-value normalisation would turn raw tabs and newlines into
/// spaces, so those become character references where they would be lost. Characters XML 1.0
/// cannot carry at all (most C0 controls, U+FFFE, U+FFFF) become U+FFFD.
public enum XMLEscaping {
    /// Appends `text` escaped for XML.
    public static func appendEscaped(_ text: String, to output: inout String, inAttribute: Bool) {
        output += escaped(text, inAttribute: inAttribute)
    }

    public static func escaped(_ text: String, inAttribute: Bool = false) -> String {
        String(writing: EscapedText(text: text, inAttribute: inAttribute))
    }

    /// The bytes `text` takes once escaped as element text, without building it: what size
    /// budgets for stanzas count.
    public static func escapedByteCount(_ text: String) -> Int {
        var counter = XMLByteCounter()
        counter.appendEscaped(text, inAttribute: false)
        return counter.count
    }

    /// The longest prefix of `text`, cut between characters, whose escaped form takes at most
    /// `budget` bytes: how oversized output is shortened to fit a stanza.
    public static func prefix(of text: String, escapedBytes budget: Int) -> Substring {
        if escapedByteCount(text) <= budget { return text[...] }
        var used = 0
        var end = text.startIndex
        for character in text {
            used += character.unicodeScalars.reduce(0) { $0 + escapedByteCount($1) }
            guard used <= budget else { break }
            end = text.index(end, offsetBy: 1)
        }
        return text[..<end]
    }

    private static func escapedByteCount(_ scalar: Unicode.Scalar) -> Int {
        switch scalar {
        case "&": 5
        case "<", ">": 4
        case "\r": 5
        default: isAllowed(scalar) ? scalar.utf8.count : 3
        }
    }

    /// The XML 1.0 `Char` production.
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    // MARK: Byte level

    /// What replaces the bytes at an index of UTF-8 text.
    struct Escape {
        var replacement: StaticString
        /// How many bytes of the text it replaces.
        var consumed: Int
    }

    /// The escape needed at `index` of valid UTF-8 `bytes`, or nil when that byte is written as
    /// it is. Every escape starts at an ASCII byte or the lead byte of U+FFFE/U+FFFF, so the
    /// bytes between escapes are whole characters.
    @inline(__always)
    static func escape(in bytes: UnsafeBufferPointer<UInt8>, at index: Int, inAttribute: Bool) -> Escape? {
        let byte = bytes[index]
        // Most bytes need nothing; these tests keep them out of the switch below. A bit mask
        // rather than `byte < 0x3F`, which sent digits, `/`, `:` and `.` (half of an id or a
        // JID) there: measured with callgrind, that doubled the cost of a scan. Two early
        // exits rather than one expression, which compiled to branch-free code taking 13
        // instructions a byte instead of 7.
        if byte >= 64 {
            guard byte == 0xEF else { return nil }
        } else {
            guard (specialASCII >> UInt64(byte)) & 1 != 0 else { return nil }
        }
        return escapeSpecial(in: bytes, at: index, inAttribute: inAttribute)
    }

    /// Bit n is set for the ASCII byte n that may need escaping: C0 controls (bits 0–31), `"`
    /// (34), `&` (38), `'` (39), `<` (60) and `>` (62). A literal, not computed: a computed one is
    /// initialised lazily, and the scan loop paid a `swift_once` check for every byte below 64.
    static let specialASCII: UInt64 = 0x5000_00C4_FFFF_FFFF

    private static func escapeSpecial(in bytes: UnsafeBufferPointer<UInt8>, at index: Int, inAttribute: Bool) -> Escape? {
        let byte = bytes[index]
        let replacement: StaticString
        switch byte {
        case UInt8(ascii: "&"): replacement = "&amp;"
        case UInt8(ascii: "<"): replacement = "&lt;"
        case UInt8(ascii: ">"): replacement = "&gt;"
        case UInt8(ascii: "'") where inAttribute: replacement = "&apos;"
        case UInt8(ascii: "\"") where inAttribute: replacement = "&quot;"
        case UInt8(ascii: "\r"): replacement = "&#13;"
        case UInt8(ascii: "\t") where inAttribute: replacement = "&#9;"
        case UInt8(ascii: "\n") where inAttribute: replacement = "&#10;"
        case UInt8(ascii: "\t"), UInt8(ascii: "\n"), 0x20...0x7F: return nil
        case 0..<0x20: replacement = "\u{FFFD}"
        case 0xEF:
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            guard index + 2 < bytes.count, bytes[index + 1] == 0xBF, bytes[index + 2] >= 0xBE else { return nil }
            return Escape(replacement: "\u{FFFD}", consumed: 3)
        default: return nil
        }
        return Escape(replacement: replacement, consumed: 1)
    }
}

/// Text to write escaped, as a value `String(writing:)` can count and write.
struct EscapedText: XMLWritable {
    var text: String
    var inAttribute: Bool

    func write(to sink: inout some XMLByteSink) {
        sink.appendEscaped(text, inAttribute: inAttribute)
    }
}
