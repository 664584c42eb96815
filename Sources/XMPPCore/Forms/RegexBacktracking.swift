/// Finds the shape of pattern that makes a backtracking engine such as Swift's `Regex` take
/// exponential time: a group repeated more than once that itself contains a repetition, such
/// as `(a+)+`, `([a-z0-9]+-?)+` or `(\w*\s?)*`. On a value that almost matches (`aaa…a!`) the
/// engine tries every way of splitting it among the repetitions: with `([a-z0-9]+-?)+`, 22
/// characters ran past 4 minutes.
/// `Regex` cannot be interrupted, so a pattern like that lets whoever may submit a value
/// stall its caller.
///
/// Not flagged, because each repetition can be split only one way:
/// - a group that starts with a punctuation character or a space that nothing else in the
///   group can match, such as `(-[a-z]+)*`, `( [A-Za-z]+)*` or `(\.[0-9]{1,3}){3}`;
/// - an atomic group `(?>…)`, and possessive repetitions (`++`, `*+`, `{2,}+`), which never
///   give back what they matched.
///
/// Not found: overlapping alternatives (`(a|a)+`, `(\w|\d)+`) and optional parts that overlap
/// (`(a?a?)+`), which are exponential too: a guard against the common mistake, not a proof.
public enum RegexBacktracking {
    /// The first group repeated with a repetition inside, as written; nil when there is none.
    public static func nestedRepetition(in pattern: String) -> String? {
        var scanner = Scanner(Array(pattern))
        return scanner.findNestedRepetition()
    }

    private struct Group {
        var start: Int
        var contentStart: Int
        var isAtomic: Bool
        /// It holds a repetition that can give back what it matched.
        var repeats = false
    }

    private struct Scanner {
        let characters: [Character]
        var index = 0
        /// The whole pattern, then each open group.
        var groups: [Group]

        init(_ characters: [Character]) {
            self.characters = characters
            groups = [Group(start: 0, contentStart: 0, isAtomic: false)]
        }

        mutating func findNestedRepetition() -> String? {
            while index < characters.count {
                switch characters[index] {
                case "\\":
                    index = RegexBacktracking.end(ofEscapeAt: index, in: characters)
                    noteQuantifier()
                case "[":
                    index = RegexBacktracking.end(ofClassAt: index, in: characters)
                    noteQuantifier()
                case "(":
                    openGroup()
                case ")":
                    if let found = closeGroup() { return found }
                default:
                    index += 1
                    noteQuantifier()
                }
            }
            return nil
        }

        private mutating func openGroup() {
            let start = index
            index += 1
            var isAtomic = false
            if index < characters.count, characters[index] == "?" {
                // `(?>`, `(?:`, `(?<name>`, `(?i)`…: the content starts after the prefix.
                isAtomic = index + 1 < characters.count && characters[index + 1] == ">"
                if index + 1 < characters.count, characters[index + 1] == "<" || characters[index + 1] == "P" || characters[index + 1] == "'" {
                    let close: Character = characters[index + 1] == "'" ? "'" : ">"
                    if let end = characters[(index + 2)...].firstIndex(where: { $0 == close || $0 == ")" }), characters[end] == close {
                        index = end + 1
                    }
                } else {
                    while index < characters.count, characters[index] != ":", characters[index] != ">", characters[index] != ")" { index += 1 }
                    if index < characters.count, characters[index] != ")" { index += 1 }
                }
            }
            groups.append(Group(start: start, contentStart: index, isAtomic: isAtomic))
        }

        /// Closes the innermost group; the group's text when it is repeated with a repetition inside.
        private mutating func closeGroup() -> String? {
            let end = index
            index += 1
            guard groups.count > 1, let group = groups.popLast() else { return nil }
            let quantifier = readQuantifier()
            let contentRepeats = group.repeats && !group.isAtomic
            if let quantifier, quantifier.repeats, !quantifier.isPossessive, contentRepeats,
               !RegexBacktracking.startsWithOwnDelimiter(Array(characters[group.contentStart..<end])) {
                return String(characters[group.start...end]) + quantifier.text
            }
            groups[groups.count - 1].repeats = groups[groups.count - 1].repeats || contentRepeats || (quantifier?.givesBack ?? false)
            return nil
        }

        private mutating func noteQuantifier() {
            if readQuantifier()?.givesBack == true { groups[groups.count - 1].repeats = true }
        }

        /// Reads the quantifier at `index`, if any: `*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`,
        /// with a lazy `?` or possessive `+` after it.
        private mutating func readQuantifier() -> Quantifier? {
            guard index < characters.count else { return nil }
            let start = index
            let lower: Int
            let upper: Int?
            switch characters[index] {
            case "*", "+":
                (lower, upper) = (characters[index] == "*" ? 0 : 1, nil)
                index += 1
            case "?":
                (lower, upper) = (0, 1)
                index += 1
            case "{":
                guard let close = characters[index...].firstIndex(of: "}") else { return nil }
                let bounds = String(characters[(index + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
                lower = Int(bounds[0]) ?? 0
                upper = bounds.count == 1 ? lower : Int(bounds[1])
                index = close + 1
            default:
                return nil
            }
            var isPossessive = false
            if index < characters.count, characters[index] == "+" {
                isPossessive = true
                index += 1
            } else if index < characters.count, characters[index] == "?" {
                index += 1
            }
            return Quantifier(text: String(characters[start..<index]), lower: lower, upper: upper, isPossessive: isPossessive)
        }
    }

    private struct Quantifier {
        var text: String
        var lower: Int
        /// Nil without bound.
        var upper: Int?
        var isPossessive: Bool

        /// More than once: `*`, `+`, `{2,}`, `{1,5}`, `{3}`; not `?` or `{0,1}`.
        var repeats: Bool { upper.map { $0 > 1 } ?? true }

        /// Matches a varying number of times more than once, and backtracks: a run of what it
        /// repeats can be split in more than one way. Not `{3}`, `?`, `++`.
        var givesBack: Bool { repeats && upper != lower && !isPossessive }
    }

    /// The index after the escape at `index`: `\d`, `\.`, or one with braces such as `\p{L}`
    /// (but `\d{2}` is an escape and a quantifier).
    static func end(ofEscapeAt index: Int, in characters: [Character]) -> Int {
        var end = index + 2
        if index + 1 < characters.count, "pPxuNkg".contains(characters[index + 1]), end < characters.count, characters[end] == "{",
           let close = characters[end...].firstIndex(of: "}") {
            end = close + 1
        }
        return min(end, characters.count)
    }

    /// The index after the character class at `index`; a `]` first in it is a member.
    static func end(ofClassAt index: Int, in characters: [Character]) -> Int {
        var depth = 0
        var position = index
        while position < characters.count {
            let character = characters[position]
            if character == "\\" {
                position = end(ofEscapeAt: position, in: characters)
                continue
            }
            let first = position == index + 1 || (position == index + 2 && characters[index + 1] == "^")
            if character == "[" {
                depth += 1
            } else if character == "]", !first {
                depth -= 1
                if depth == 0 { return position + 1 }
            }
            position += 1
        }
        return characters.count
    }

    /// Whether a group's content starts with a punctuation character (or a space) that nothing
    /// else in it can match, so each repetition begins where the last one ended: `-[a-z]+`,
    /// `\.[0-9]+`.
    /// Conservative: any wildcard, negated class, class escape other than `\d` `\w` `\s`, or
    /// class range outside a-z, A-Z, 0-9 counts as matching it.
    static func startsWithOwnDelimiter(_ content: [Character]) -> Bool {
        guard let first = content.first else { return false }
        var delimiter = first
        var rest = content.dropFirst()
        if first == "\\" {
            guard let escaped = rest.first, escaped.isPunctuation || escaped.isSymbol else { return false }
            delimiter = escaped
            rest = rest.dropFirst()
        } else if "[(.^$|?*+{".contains(first) {
            return false
        }
        guard delimiter.isPunctuation || delimiter.isSymbol || delimiter == " ", delimiter != "_" else { return false }
        if let next = rest.first, "?*+{".contains(next) { return false }
        return !canMatch(delimiter, anywhereIn: Array(rest))
    }

    private static func canMatch(_ delimiter: Character, anywhereIn characters: [Character]) -> Bool {
        var index = 0
        var inClass = false
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\":
                guard index + 1 < characters.count else { return true }
                let escaped = characters[index + 1]
                let classMatches = escaped == "s" ? delimiter == " " : !"dw".contains(escaped)
                if escaped == delimiter || classMatches && !(escaped.isPunctuation || escaped.isSymbol) { return true }
                index += 2
                continue
            case "[":
                if index + 1 < characters.count, characters[index + 1] == "^" { return true }
                inClass = true
            case "]":
                inClass = false
            case "-" where inClass && index > 0 && index + 1 < characters.count && characters[index + 1] != "]" && characters[index - 1] != "[":
                // A range: its own `-` is no member, its ends must be of one ASCII kind.
                let (low, high) = (characters[index - 1], characters[index + 1])
                guard low.isASCIILowercase && high.isASCIILowercase || low.isASCIIUppercase && high.isASCIIUppercase
                    || low.isASCIIDigit && high.isASCIIDigit else { return true }
                index += 1
                continue
            case ".", "|":
                // Any character, or a second way to start a repetition.
                if !inClass { return true }
            default:
                break
            }
            if character == delimiter { return true }
            index += 1
        }
        return false
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIILowercase: Bool { ("a"..."z").contains(self) }
    var isASCIIUppercase: Bool { ("A"..."Z").contains(self) }
}
