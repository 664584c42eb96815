@testable import TOMLConfig

/// The TOML reader (`TOMLParser`, `ConfigValue.parseTOML`).
///
/// Properties: an error names a line of the text and a column; every key of an accepted
/// document has a line in the text; the configuration entry point agrees with the parser; and
/// an accepted document, written back as TOML, reads as the same values.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    checkTOML(input.restAsText())
    return 0
}

private func checkTOML(_ text: String) {
    let lineCount = text.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    let document: TOMLDocument
    do {
        document = try TOMLParser.parseWithLines(text)
    } catch {
        require((1...lineCount).contains(error.line) && error.column >= 1, "error outside the text: \(error)")
        let parserError = error
        do {
            _ = try ConfigValue.parseTOML(text, file: "fuzz.toml")
            require(false, "parseTOML accepts what the parser refused: \(parserError)")
        } catch {
            guard case .syntax(_, let line, let column, _) = error else { return require(false, "not a syntax error: \(error)") }
            require(line == parserError.line && column == parserError.column, "parseTOML places the error elsewhere: \(error)")
        }
        return
    }
    for key in document.keyLines.keys(in: "") {
        let line = document.keyLines.line(for: key)
        require(line.map { (1...lineCount).contains($0) } ?? false, "key '\(key)' has no line in the text: \(String(describing: line))")
    }
    require(document.keyLines == TOMLParser.keyLines(in: text), "keyLines(in:) differs from parseWithLines")
    let written = TOMLWriter.document(document.values)
    do {
        let again = try TOMLParser.parse(written)
        require(TOMLWriter.same(.table(again), .table(document.values)), "written back and read again, the values differ:\n\(written)")
    } catch {
        require(false, "written back, the document does not read: \(error)\n\(written)")
    }
}
