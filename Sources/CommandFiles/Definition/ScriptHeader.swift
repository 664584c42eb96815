import XMPPCore

/// The definition block of a script: TOML in comment lines between `# adhocd:begin` and
/// `# adhocd:end`, inside the script's leading comment block.
///
/// ```sh
/// #!/bin/sh
/// # adhocd:begin
/// # name = "Disk usage"
/// # output = "table"
/// # adhocd:end
/// ```
///
/// Each line loses its `#` and one following space. Lines outside the block become empty, so
/// TOML line numbers are the script's own and errors point at the right line.
public enum ScriptHeader {
    public static let beginMarker = "adhocd:begin"
    public static let endMarker = "adhocd:end"

    /// The block as TOML, nil when the script has none.
    public static func extract(from text: String, file: String) throws(DefinitionError) -> String? {
        // "\r\n" is one Character in Swift: split on both kinds of line end.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        guard let begin = lines.firstIndex(where: { marker($0) == beginMarker }) else {
            if let stray = lines.firstIndex(where: { marker($0) == endMarker }) {
                throw DefinitionError(file: file, line: stray + 1, problem: "'# \(endMarker)' without a '# \(beginMarker)' before it")
            }
            return nil
        }
        // Only the leading comment block (after the #! line) may hold it.
        if let code = lines[..<begin].firstIndex(where: { !isCommentOrBlank($0) }) {
            throw DefinitionError(
                file: file, line: begin + 1,
                problem: "the '# \(beginMarker)' block must be in the comment block at the top of the script (line \(code + 1) is code); move it up")
        }
        var toml = Array(repeating: "", count: lines.count)
        for index in (begin + 1)..<lines.count {
            let line = lines[index]
            if marker(line) == endMarker { return toml[..<index].joined(separator: "\n") }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty { continue }
            guard trimmed.hasPrefix("#") else {
                throw DefinitionError(
                    file: file, line: index + 1,
                    problem: "inside the adhocd block every line starts with '#'; end the block with '# \(endMarker)' before any code")
            }
            var content = trimmed.dropFirst()
            if content.hasPrefix(" ") { content = content.dropFirst() }
            toml[index] = String(content)
        }
        throw DefinitionError(file: file, line: begin + 1, problem: "no '# \(endMarker)' closes the block opened here; add it after the last key")
    }

    /// `adhocd:begin` for a line `# adhocd:begin` (any spacing), nil for other lines.
    private static func marker(_ line: Substring) -> String? {
        let trimmed = String(line).trimmingWhitespace()
        guard trimmed.hasPrefix("#") else { return nil }
        let word = String(trimmed.drop { $0 == "#" }).trimmingWhitespace()
        return word == beginMarker || word == endMarker ? word : nil
    }

    private static func isCommentOrBlank(_ line: Substring) -> Bool {
        let trimmed = String(line).trimmingWhitespace()
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }
}
