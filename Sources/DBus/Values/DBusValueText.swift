/// Type-directed conversion between D-Bus values and the text people type into form fields.
///
/// The type always comes from the signature; text is never guessed at. The formats:
/// - numbers in decimal, within the type's range; booleans as true/false, yes/no, 1/0;
/// - arrays of basic types: one element per line (blank lines ignored);
/// - dictionaries with basic keys: `key=value` lines, split at the first `=`;
/// - a variant: `TYPE:value` with a basic type code (`i:42`, `b:true`, `s:text`, `d:0.5`);
///   text without such a prefix is a string;
/// - a struct of basic members: one line, members separated by commas (the last member takes
///   the rest of the line, so it may itself contain commas); arrays of such structs: one per line.
public enum DBusValueText {
    /// Whether people can type a value of this type in a form field.
    public static func isEditable(_ type: DBusType) -> Bool {
        switch type {
        case .unixFD: false
        case .variant: true
        case .array(let element): element.isBasic || isFlatStruct(element)
        case .dictionary(let key, let value): key.isBasic && (value.isBasic || value == .variant)
        case .structure: isFlatStruct(type)
        default: true
        }
    }

    private static func isFlatStruct(_ type: DBusType) -> Bool {
        guard case .structure(let members) = type else { return false }
        return members.allSatisfy { $0.isBasic && $0 != .unixFD }
    }

    /// Parses what a person typed as a value of `type`.
    public static func parse(_ text: String, as type: DBusType) throws(DBusValueTextError) -> DBusValue {
        switch type {
        case .array(let element):
            return .array(element: element, try lines(text).map { (line) throws(DBusValueTextError) in try parse(line, as: element) })
        case .dictionary(let key, let value):
            var entries: [DBusDictionaryEntry] = []
            for line in lines(text) {
                guard let equals = line.firstIndex(of: "=") else {
                    throw DBusValueTextError(text: line, problem: "is not a key=value line")
                }
                let keyText = String(line[..<equals]).trimmingSpaces
                let valueText = String(line[line.index(after: equals)...])
                entries.append(DBusDictionaryEntry(key: try parse(keyText, as: key), value: try parse(valueText, as: value)))
            }
            return .dictionary(key: key, value: value, entries)
        case .structure(let members):
            let parts = text.split(separator: ",", maxSplits: members.count - 1, omittingEmptySubsequences: false)
            guard parts.count == members.count else {
                throw DBusValueTextError(text: text, problem: "needs \(members.count) values separated by commas (\(members.map(\.readableName).joined(separator: ", ")))")
            }
            var values: [DBusValue] = []
            for (part, member) in zip(parts, members) {
                values.append(try parse(String(part).trimmingSpaces, as: member))
            }
            return .structure(values)
        case .variant:
            return .variant(try parseVariant(text))
        default:
            return try parseBasic(text, as: type)
        }
    }

    private static func parseVariant(_ text: String) throws(DBusValueTextError) -> DBusValue {
        if let colon = text.firstIndex(of: ":"), let code = text[..<colon].first, text.distance(from: text.startIndex, to: colon) == 1,
           let type = try? DBusSignature.parseSingle(String(code)), type.isBasic, type != .unixFD {
            return try parseBasic(String(text[text.index(after: colon)...]), as: type)
        }
        // Untyped text is a string, with a string's checks (no NUL, which libdbus refuses).
        return try parseBasic(text, as: .string)
    }

    private static func parseBasic(_ raw: String, as type: DBusType) throws(DBusValueTextError) -> DBusValue {
        let text = type == .string ? raw : raw.trimmingSpaces
        switch type {
        case .byte: return .byte(try integer(text, as: type))
        case .int16: return .int16(try integer(text, as: type))
        case .uint16: return .uint16(try integer(text, as: type))
        case .int32: return .int32(try integer(text, as: type))
        case .uint32: return .uint32(try integer(text, as: type))
        case .int64: return .int64(try integer(text, as: type))
        case .uint64: return .uint64(try integer(text, as: type))
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes", "on": return .boolean(true)
            case "false", "0", "no", "off": return .boolean(false)
            default: throw DBusValueTextError(text: text, problem: "is not true or false")
            }
        case .double:
            guard let number = Double(text), number.isFinite else {
                throw DBusValueTextError(text: text, problem: "is not a number")
            }
            return .double(number)
        case .string:
            guard !text.utf8.contains(0) else { throw DBusValueTextError(text: "", problem: "text may not contain NUL characters") }
            return .string(text)
        case .objectPath:
            do { try DBusNames.validateObjectPath(text) } catch { throw DBusValueTextError(text: text, problem: "is not an object path (like /org/example/Object)") }
            return .objectPath(text)
        case .signature:
            do { _ = try DBusSignature.parse(text) } catch { throw DBusValueTextError(text: text, problem: "is not a D-Bus type signature") }
            return .signature(text)
        default:
            throw DBusValueTextError(text: text, problem: "cannot be entered as \(type.readableName)")
        }
    }

    private static func integer<Number: FixedWidthInteger>(_ text: String, as type: DBusType) throws(DBusValueTextError) -> Number {
        guard let number = Number(text) else {
            if Int128(text) != nil || (text.first == "-" && Number.min == 0 && UInt128(text.dropFirst()) != nil) {
                throw DBusValueTextError(text: text, problem: "must be between \(Number.min) and \(Number.max)")
            }
            throw DBusValueTextError(text: text, problem: "is not a whole number")
        }
        return number
    }

    private static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingSpaces.isEmpty }
    }

    // MARK: Display

    /// How a value reads in a result form: variants unwrapped, arrays one element per line,
    /// dictionaries as key=value lines, structs comma-joined.
    public static func display(_ value: DBusValue) -> String {
        switch value {
        case .byte(let number): String(number)
        case .boolean(let flag): flag ? "true" : "false"
        case .int16(let number): String(number)
        case .uint16(let number): String(number)
        case .int32(let number): String(number)
        case .uint32(let number): String(number)
        case .int64(let number): String(number)
        case .uint64(let number): String(number)
        case .double(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text), .objectPath(let text), .signature(let text): text
        case .variant(let inner): display(inner)
        case .array(_, let items): items.map(display).joined(separator: "\n")
        case .dictionary(_, _, let entries): entries.map { display($0.key) + "=" + display($0.value) }.joined(separator: "\n")
        case .structure(let members): members.map(display).joined(separator: ", ")
        }
    }
}

/// Text that doesn't parse as the type the method wants, and why.
public struct DBusValueTextError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let problem: String

    public var description: String {
        text.isEmpty ? problem : "'\(text.prefix(80))' \(problem)"
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = self[...]
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
