/// Reads a program's standard output as a table: the first line holds the column names, each
/// further line a row. Tab-separated when the header line contains a tab; otherwise CSV
/// (RFC 4180: commas, fields in double quotes may hold commas, quotes as "" and line breaks).
public enum TableParser {
    public struct Table: Sendable, Equatable {
        public var header: [String]
        public var rows: [[String]]
    }

    /// Nil when there is not even a header line.
    public static func parse(_ text: String) -> Table? {
        // "\r\n" is one Character in Swift: split on both kinds of line end.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        guard let headerLine = lines.first(where: { !$0.isEmpty }) else { return nil }
        let records = headerLine.contains("\t")
            ? lines.filter { !$0.isEmpty }.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            : csvRecords(text)
        guard let header = records.first else { return nil }
        return Table(header: header, rows: Array(records.dropFirst()))
    }

    /// CSV records; blank lines are skipped.
    static func csvRecords(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var fieldStarted = false
        var characters = text.makeIterator()
        var pending: Character?

        func endRecord() {
            if fieldStarted || !record.isEmpty {
                record.append(field)
                records.append(record)
            }
            record = []
            field = ""
            fieldStarted = false
        }

        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    // "" inside quotes is one quote; a lone quote closes the field.
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty:
                quoted = true
                fieldStarted = true
            case ",":
                record.append(field)
                field = ""
                fieldStarted = true
            case "\n", "\r\n":
                endRecord()
            case "\r":
                break
            default:
                field.append(character)
                fieldStarted = true
            }
        }
        endRecord()
        return records
    }
}
