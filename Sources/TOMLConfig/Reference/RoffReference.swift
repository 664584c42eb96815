/// A table's keys as man(7) paragraphs (`.TP`, the key in bold), from the same Markdown the
/// docs show: `code` and **strong** become bold, *emphasis* italic, links their text.
public enum RoffReference {
    public static func list(_ table: ConfigTable) -> String {
        var lines: [String] = []
        // Where the output has no glyph for a character (`man` in the C locale), show a stand-in.
        let used = Set(table.rows.flatMap { [$0.type, $0.defaultText, $0.summary].flatMap(\.unicodeScalars) })
        for (scalar, standIn) in asciiStandIns.sorted(by: { $0.key.value < $1.key.value }) where used.contains(scalar) {
            let glyph = escape(String(scalar))
            lines.append(".if !c\(glyph) .char \(glyph) \(standIn)")
        }
        for row in table.rows {
            lines.append(".TP")
            let names = row.names.map(escape)
            lines.append(names.count == 1 ? ".B \(names[0])" : ".BR " + names.joined(separator: " \", \" "))
            let type = text(row.type)
            lines += sentences(row.defaultText == "required" ? "Required; \(type)." : "\(capitalized(type)); default \(text(row.defaultText)).")
            lines += sentences(text(row.summary))
        }
        return lines.joined(separator: "\n")
    }

    /// Markdown inline text as roff text, on one line.
    public static func text(_ markdown: String) -> String {
        var result = ""
        var rest = Substring(markdown)
        while let character = rest.first {
            rest = rest.dropFirst()
            switch character {
            case "`":
                guard let close = rest.firstIndex(of: "`") else { result += "`"; continue }
                result += "\\fB" + escape(rest[..<close]) + "\\fR"
                rest = rest[rest.index(after: close)...]
            case "*":
                // **strong** or *emphasis*; a lone star is a star.
                let strong = rest.first == "*"
                let marker = strong ? "**" : "*"
                let body = strong ? rest.dropFirst() : rest
                guard let close = body.firstRange(of: marker) else { result += "*"; continue }
                result += (strong ? "\\fB" : "\\fI") + escape(body[..<close.lowerBound]) + "\\fR"
                rest = body[close.upperBound...]
            case "[":
                // [text](target): the text alone.
                guard let middle = rest.firstRange(of: "]("), let close = rest[middle.upperBound...].firstIndex(of: ")") else {
                    result += "["
                    continue
                }
                result += text(String(rest[..<middle.lowerBound]))
                rest = rest[rest.index(after: close)...]
            case "\\" where rest.first.map { "\\`*[]|_".contains($0) } == true:
                // A Markdown escape: the character itself.
                result += escape(String(rest.prefix(1)))
                rest = rest.dropFirst()
            default:
                result += escape(String(character))
            }
        }
        return result
    }

    /// Characters roff would read as its own: the escape character, `-` (a hyphen, not the
    /// minus sign man pages use for options), and anything beyond ASCII (groff without a
    /// preprocessor reads bytes, not UTF-8): a named glyph that every output device has, or
    /// the character by its code point.
    static func escape<S: StringProtocol>(_ text: S) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\e"
            case "-": result += "\\-"
            case _ where glyphs[scalar] != nil: result += glyphs[scalar] ?? ""
            case _ where scalar.value > 0x7E:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Typographic characters as glyphs every groff device draws (`…` as three dots).
    static let glyphs: [Unicode.Scalar: String] = [
        "\u{2026}": "...", "\u{2212}": "\\-", "\u{2013}": "\\(en", "\u{2014}": "\\(em", "\u{2192}": "\\(->", "\u{00D7}": "\\(mu",
        "\u{2018}": "\\(oq", "\u{2019}": "\\(cq", "\u{201C}": "\\(lq", "\u{201D}": "\\(rq",
    ]

    /// Characters ASCII output has no glyph for, and what it shows instead.
    static let asciiStandIns: [Unicode.Scalar: String] = ["\u{00B7}": "."]

    /// One sentence a line, as roff sources are written: groff then spaces sentences as it
    /// should, and a line never starts with a control character (`.` or `'`).
    static func sentences(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        var characters = text[...]
        while let character = characters.first {
            characters = characters.dropFirst()
            current.append(character)
            // A sentence ends at a full stop before a capital or a font change (`code` after it).
            let rest = characters.dropFirst()
            if character == ".", characters.first == " ", rest.first?.isUppercase == true || rest.hasPrefix("\\f") {
                lines.append(current)
                current = ""
                characters = characters.dropFirst()
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.map { $0.hasPrefix(".") || $0.hasPrefix("'") ? "\\&" + $0 : $0 }
    }

    private static func capitalized(_ text: String) -> String {
        guard let first = text.first, first.isLowercase else { return text }
        return first.uppercased() + text.dropFirst()
    }
}
