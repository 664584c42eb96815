import Foundation
import TOMLConfig

/// Prints what adhocd's TOML reader makes of files, for the differential test against Python's
/// `tomllib` (Tests/toml/test_differential.py).
///
/// Reads file paths from standard input, one per line, and prints one JSON object per file:
/// `{"file": …, "value": …}` for a document it accepts, `{"file": …, "error": …, "line": N}` for
/// one it refuses. Values use the tagged form of toml-test: tables are objects, arrays are
/// arrays, and every other value is `{"type": …, "value": "…"}` (see TaggedValue).
@main
struct TOMLToJSON {
    static func main() throws {
        while let path = readLine(strippingNewline: true) {
            guard !path.isEmpty else { continue }
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            var result: [String: Any] = ["file": path]
            do {
                result["value"] = TaggedValue.table(try TOMLParser.parseWithLines(utf8: bytes).values)
            } catch {
                result["error"] = "\(error.line):\(error.column): \(error.message)"
                result["line"] = error.line
            }
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
}
