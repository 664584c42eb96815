import Testing
@testable import XMPPCore

/// The serializer escapes byte by byte; these compare it with the rules written scalar by
/// scalar, as the XML 1.0 productions state them.
@Suite struct XMLEscapingTests {
    static let samples: [String] = [
        "", "plain", "a&b<c>d'e\"f", "tab\tnewline\ncr\r", "nul\u{0} bell\u{7} esc\u{1B} us\u{1F}",
        "\u{FFFE}\u{FFFF}\u{FFFD}\u{FEFF}\u{F000}\u{EFFF}", "é😀ü中", "\u{FFFF}", "x\u{FFFE}",
        "]]>", "&amp;", String(repeating: "<&>", count: 100), "emoji 👩‍👩‍👧 and \u{7F} del",
    ]

    @Test(arguments: samples)
    func bytesAreEscapedAsTheScalarRulesSay(_ text: String) {
        for inAttribute in [false, true] {
            let escaped = XMLEscaping.escaped(text, inAttribute: inAttribute)
            #expect(escaped == Self.reference(text, inAttribute: inAttribute))
            var appended = "prefix "
            XMLEscaping.appendEscaped(text, to: &appended, inAttribute: inAttribute)
            #expect(appended == "prefix " + escaped)
        }
        #expect(XMLEscaping.escapedByteCount(text) == Self.reference(text, inAttribute: false).utf8.count)
    }

    @Test func everyByteValueInTextAndAttributes() {
        let text = String(decoding: (0...0x7F).map { UInt8($0) }, as: UTF8.self) + "\u{80}\u{7FF}\u{FFFD}\u{FFFE}\u{10FFFF}"
        for inAttribute in [false, true] {
            #expect(XMLEscaping.escaped(text, inAttribute: inAttribute) == Self.reference(text, inAttribute: inAttribute))
        }
    }

    @Test func theMaskOfSpecialBytesNamesTheControlsQuotesAmpersandAndBrackets() {
        var mask: UInt64 = 0xFFFF_FFFF
        for character in "\"&'<>".utf8 { mask |= 1 << UInt64(character) }
        #expect(XMLEscaping.specialASCII == mask)
    }

    @Test func anElementCountsTheBytesItWrites() {
        var element = XMLElement("message", namespace: "jabber:client", ["to": "a@b/c", "x": "'\t\"<"])
        element.append(XMLElement("body", namespace: "jabber:client", text: "1 < 2 \u{7}\u{FFFF} é"))
        element.append(XMLElement("x", namespace: "urn:x'y", children: [.element(XMLElement("empty"))]))
        for namespace in ["", "jabber:client", "urn:other"] {
            #expect(element.serializedByteCount(inheritedNamespace: namespace) == element.serialized(inheritedNamespace: namespace).utf8.count)
        }
        // Small results (up to 15 bytes) are stored inline in the string.
        #expect(XMLElement("a").serialized() == "<a/>")
        #expect(XMLElement("a").serializedByteCount() == 4)
    }

    @Test func writingAppendsToText() {
        var output = "<stream:error>"
        XMLElement("x", namespace: "urn:x").write(to: &output, inheritedNamespace: "urn:y")
        #expect(output == "<stream:error><x xmlns='urn:x'/>")
    }

    /// The rules scalar by scalar.
    static func reference(_ text: String, inAttribute: Bool) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "'" where inAttribute: output += "&apos;"
            case "\"" where inAttribute: output += "&quot;"
            case "\r": output += "&#13;"
            case "\t", "\n":
                if inAttribute { output += "&#\(scalar.value);" } else { output.unicodeScalars.append(scalar) }
            default:
                output.unicodeScalars.append(XMLEscaping.isAllowed(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return output
    }
}
