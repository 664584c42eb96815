extension XMLElement {
    /// The element as XML text.
    ///
    /// `inheritedNamespace` is the default namespace in force where the element is written
    /// (`jabber:client` for a stanza on a client stream); `xmlns` is written only where the
    /// element's namespace differs from it. Characters XML 1.0 cannot carry at all (most C0
    /// controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, because a single one makes the
    /// server close the whole stream.
    public func serialized(inheritedNamespace: String = "") -> String {
        var output = ""
        output.reserveCapacity(256)
        write(to: &output, inheritedNamespace: inheritedNamespace)
        return output
    }

    public func write(to output: inout String, inheritedNamespace: String) {
        output += "<"
        output += name
        if namespace != inheritedNamespace {
            output += " xmlns='"
            XMLEscaping.appendEscaped(namespace, to: &output, inAttribute: true)
            output += "'"
        }
        for attribute in attributes {
            output += " "
            output += attribute.name
            output += "='"
            XMLEscaping.appendEscaped(attribute.value, to: &output, inAttribute: true)
            output += "'"
        }
        if children.isEmpty {
            output += "/>"
            return
        }
        output += ">"
        for child in children {
            switch child {
            case .element(let element):
                element.write(to: &output, inheritedNamespace: namespace)
            case .text(let text):
                XMLEscaping.appendEscaped(text, to: &output, inAttribute: false)
            }
        }
        output += "</"
        output += name
        output += ">"
    }
}

/// Escaping of character data and attribute values.
public enum XMLEscaping {
    /// Appends `text` escaped for XML. Attribute values are written in single quotes, so both
    /// quote characters are escaped there; `>` is always escaped so `]]>` cannot appear.
    public static func appendEscaped(_ text: String, to output: inout String, inAttribute: Bool) {
        // Fast path: most text needs no escaping at all.
        if !text.utf8.contains(where: { needsWork($0) }) {
            output += text
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "'" where inAttribute: output += "&apos;"
            case "\"" where inAttribute: output += "&quot;"
            case "\r":
                // A raw CR would be normalised away by the reader (XML 1.0 §2.11).
                output += "&#13;"
            case "\t", "\n":
                // Attribute-value normalisation would turn raw whitespace into spaces.
                if inAttribute { output += "&#\(scalar.value);" } else { output.unicodeScalars.append(scalar) }
            default:
                output.unicodeScalars.append(isAllowed(scalar) ? scalar : "\u{FFFD}")
            }
        }
    }

    public static func escaped(_ text: String, inAttribute: Bool = false) -> String {
        var output = ""
        appendEscaped(text, to: &output, inAttribute: inAttribute)
        return output
    }

    /// The bytes `text` takes once escaped as element text, without building it: what size
    /// budgets for stanzas count.
    public static func escapedByteCount(_ text: String) -> Int {
        if !text.utf8.contains(where: { needsWork($0) }) { return text.utf8.count }
        return text.unicodeScalars.reduce(0) { $0 + escapedByteCount($1) }
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

    /// True for bytes that may need escaping or replacing; UTF-8 lead bytes of U+FFFE/U+FFFF
    /// (0xEF) are included so those two are caught.
    @inline(__always)
    private static func needsWork(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == 0xEF
    }

    /// The XML 1.0 `Char` production.
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
