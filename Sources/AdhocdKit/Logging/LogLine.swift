import Logging

/// One log event as one line of text that no input can forge.
///
/// Messages and metadata carry what strangers send (JIDs, node names, error texts from
/// services): a newline in them would start what looks like a line of its own. So CR, LF and
/// every other control character are written as escapes (`\n`, `\u{1B}`), and metadata values
/// that contain blanks, `=` or quotes are quoted, so `key=value` pairs stay unambiguous. Values
/// and messages are cut short: a session id or a stanza id is whatever its sender chose, up to
/// the server's stanza limit.
enum LogLine {
    /// Bytes of one metadata value before escaping: our ids, JIDs (a few hundred bytes in
    /// practice) and error texts fit; a stranger's 100 KB session id does not.
    static let valueBytes = 1024
    /// Bytes of a message before escaping.
    static let messageBytes = 4096

    /// `message key=value …`, keys sorted, one line without the newline.
    static func text(message: String, metadata: Logger.Metadata) -> String {
        var line = escaped(cut(message, to: messageBytes))
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " " + escaped(cut(key, to: valueBytes)) + "=" + quotedIfNeeded(escaped(cut("\(value)", to: valueBytes)))
        }
        return line
    }

    /// `text` within `limit` bytes: a longer one is cut at a character boundary and ends with
    /// its full size, as the audit log cuts values.
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let note = "…[cut: \(text.utf8.count) bytes]"
        var end = text.utf8.index(text.utf8.startIndex, offsetBy: max(0, limit - note.utf8.count))
        while end > text.startIndex, end.samePosition(in: text.unicodeScalars) == nil { end = text.utf8.index(before: end) }
        return String(text.unicodeScalars[..<end]) + note
    }

    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where needsEscape(scalar): result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the invisible
    /// format characters (category Cf): a bidi override (U+202E) in a stranger's stanza id made
    /// viewers that apply bidi show the rest of the line backwards, and a zero-width space makes
    /// `e\u{200B}ve` look like `eve`.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return true }
        return scalar.value >= 0xAD && (scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.properties.generalCategory == .format)
    }

    static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.unicodeScalars.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" }) else {
            return value
        }
        var quoted = "\""
        for character in value {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
