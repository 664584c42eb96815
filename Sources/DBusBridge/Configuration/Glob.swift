/// Shell-style name patterns for config: `*` any run of characters, `?` one character.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let characters: [Character]

    public init(_ pattern: String) {
        self.pattern = pattern
        characters = Array(pattern)
    }

    public var hasWildcards: Bool { characters.contains("*") || characters.contains("?") }

    public func matches(_ text: String) -> Bool {
        let subject = Array(text)
        var p = 0, s = 0
        var star: Int?, starMatch = 0
        while s < subject.count {
            if p < characters.count, characters[p] == "?" || characters[p] == subject[s] {
                p += 1
                s += 1
            } else if p < characters.count, characters[p] == "*" {
                star = p
                starMatch = s
                p += 1
            } else if let star {
                p = star + 1
                starMatch += 1
                s = starMatch
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" { p += 1 }
        return p == characters.count
    }

    public var description: String { pattern }
}

extension Array where Element == Glob {
    /// An empty list matches everything (the key was left out).
    func matchesAny(_ text: String) -> Bool {
        isEmpty || contains { $0.matches(text) }
    }
}
