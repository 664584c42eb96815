/// A line a contact typed to start a command: `NODE`, `NODE var=value var2="two words"`, or
/// `NODE the rest of the line` for a command with one parameter.
///
/// The head and the raw rest are always there; the words of the rest are read on demand,
/// since a value given as the rest of the line may hold an unbalanced quote (`say it's`).
/// Quotes only group words here; nothing typed ever reaches a shell, and values go to commands
/// as they are.
public struct TypedLine: Sendable, Equatable {
    /// The first word: a node, a number from the last list, a name or an alias.
    public var head: String
    /// Everything after the first word and the blanks that follow it, untouched.
    public var rest: String

    public init(head: String, rest: String = "") {
        self.head = head
        self.rest = rest
    }

    /// The first word and the rest of `text`; nil for a line with no words.
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace()
        guard let first = trimmed.first, !first.isWhitespace else { return nil }
        let end = trimmed.firstIndex(where: \.isWhitespace) ?? trimmed.endIndex
        head = String(trimmed[..<end])
        rest = String(trimmed[end...]).trimmingWhitespace()
    }

    /// The rest of the line as `var=value` assignments and other words.
    public struct Arguments: Sendable, Equatable {
        /// `var=value` words, in order; a quoted value has its quotes removed.
        public var assignments: [Assignment]
        /// The other words, quotes removed.
        public var words: [String]

        public init(assignments: [Assignment] = [], words: [String] = []) {
            self.assignments = assignments
            self.words = words
        }
    }

    public struct Assignment: Sendable, Equatable {
        public var variable: String
        public var value: String

        public init(_ variable: String, _ value: String) {
            self.variable = variable
            self.value = value
        }
    }

    /// Splits the rest into words, honouring "double" and 'single' quotes (`\"` and `\\` inside
    /// double quotes).
    public func arguments() throws(TypedLineError) -> Arguments {
        var arguments = Arguments()
        for token in try Self.tokens(of: rest) {
            if let nameLength = token.nameLength {
                let name = token.text.prefix(nameLength)
                arguments.assignments.append(Assignment(String(name), String(token.text.dropFirst(nameLength + 1))))
            } else {
                arguments.words.append(token.text)
            }
        }
        return arguments
    }

    private struct Token {
        var text: String
        /// The length of `name` when the word is `name=value` with a plain name before any
        /// quote: a quoted `"a=b"` is a word, not an assignment.
        var nameLength: Int?
    }

    private static func tokens(of line: String) throws(TypedLineError) -> [Token] {
        var tokens: [Token] = []
        var index = line.startIndex
        while index < line.endIndex {
            if line[index].isWhitespace {
                index = line.index(after: index)
                continue
            }
            var text = ""
            var quoted = false
            var nameLength: Int?
            while index < line.endIndex, !line[index].isWhitespace {
                let character = line[index]
                if character == "\"" || character == "'" {
                    quoted = true
                    index = line.index(after: index)
                    var closed = false
                    while index < line.endIndex {
                        var inner = line[index]
                        if inner == character {
                            closed = true
                            index = line.index(after: index)
                            break
                        }
                        if character == "\"", inner == "\\", line.index(after: index) < line.endIndex {
                            let next = line[line.index(after: index)]
                            if next == "\"" || next == "\\" {
                                index = line.index(after: index)
                                inner = next
                            }
                        }
                        text.append(inner)
                        index = line.index(after: index)
                    }
                    guard closed else { throw .unclosedQuote(character) }
                    continue
                }
                if character == "=", !quoted, nameLength == nil, isVariableName(text) {
                    nameLength = text.count
                }
                text.append(character)
                index = line.index(after: index)
            }
            tokens.append(Token(text: text, nameLength: nameLength))
        }
        return tokens
    }

    /// Field variables as forms name them: a letter or `_`, then letters, digits, `_ - . :`.
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0 == "." || $0 == ":" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}

public enum TypedLineError: Error, Sendable, Equatable, CustomStringConvertible {
    case unclosedQuote(Character)

    public var description: String {
        switch self {
        case .unclosedQuote(let quote): "a \(quote) quote is not closed"
        }
    }
}
