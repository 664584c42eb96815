import XMPPCore

/// Finds the option of a list a typed word names: by value, by number, by label, or by a short
/// form people type on a phone (`vol+` for "🔊 Volume +", `prev` for "⏮ Previous", `pause` for
/// "⏯ Play/Pause").
///
/// Tried from the most to the least exact; the first kind of match that finds anything decides,
/// so an exact value never loses to a prefix, and two options found alike are ambiguous.
public enum OptionMatcher {
    public enum Match: Sendable, Equatable {
        case option(String)
        /// Several options fit equally well: their values.
        case ambiguous([String])
        case none
    }

    public static func match(_ typed: String, in options: [FormField.Option]) -> Match {
        let text = typed.trimmingWhitespace()
        guard !text.isEmpty, !options.isEmpty else { return .none }
        if let exact = options.first(where: { $0.value == text }) { return .option(exact.value) }
        // Digits only: "+30" and "-10" are labels of a remote, not numbers.
        if text.allSatisfy({ ("0"..."9").contains($0) }), let number = Int(text) {
            return number >= 1 && number <= options.count ? .option(options[number - 1].value) : .none
        }
        let key = normalized(text)
        let typedTokens = tokens(key)
        let names = options.map { option in [option.value, option.label ?? ""].map(normalized).filter { !$0.isEmpty } }
        let levels: [(String) -> ([String]) -> Bool] = [
            // The same letters, case, blanks and symbols aside: "play/pause", "Volume +".
            { key in { $0.contains(key) } },
            // Each typed piece starts the option's piece at the same place: "vol+", "vol-".
            { _ in { $0.contains { name in abbreviates(typedTokens, tokens(name)) } } },
            // The start of a value or label: "prev", "+30".
            { key in { $0.contains { $0.hasPrefix(key) } } },
            // The start of one word of it: "pause" in "Play/Pause", "up" in "volume-up".
            { key in { $0.contains { name in tokens(name).contains { $0.hasPrefix(key) } } } },
        ]
        guard !key.isEmpty else { return .none }
        for level in levels {
            let test = level(key)
            let found = options.indices.filter { test(names[$0]) }
            if found.count == 1 { return .option(options[found[0]].value) }
            if found.count > 1 { return .ambiguous(found.map { options[$0].value }) }
        }
        return .none
    }

    /// Lowercased letters, digits, `+` and `-` (the dashes people and emoji fonts use for minus
    /// count as `-`); spaces, slashes, emoji and other symbols dropped.
    static func normalized(_ text: String) -> String {
        var result = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "+" || character == "-" {
                result.append(character)
            } else if character == "\u{2212}" || character == "\u{2013}" || character == "\u{2010}" {
                result.append("-")
            }
        }
        return result
    }

    /// Runs of letters and digits, and each `+` or `-` alone: "volume+" → ["volume", "+"].
    static func tokens(_ normalized: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        for character in normalized {
            if character == "+" || character == "-" {
                if !word.isEmpty { tokens.append(word) }
                word = ""
                tokens.append(String(character))
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { tokens.append(word) }
        return tokens
    }

    private static func abbreviates(_ typed: [String], _ option: [String]) -> Bool {
        typed.count > 1 && typed.count == option.count && zip(typed, option).allSatisfy { $1.hasPrefix($0) }
    }
}
