import Foundation
import Testing
@testable import XMPPCore

/// Patterns whose check could stall adhocd (exponential backtracking in Swift's `Regex`), and
/// the common ones that must stay allowed.
@Suite struct RegexBacktrackingTests {
    @Test(arguments: [
        ("(a+)+", "(a+)+"),
        ("([a-z0-9]+-?)+", "([a-z0-9]+-?)+"),
        ("^(\\w*\\s?)*$", "(\\w*\\s?)*"),
        ("x(a*)*b", "(a*)*"),
        ("((ab)+c?)+", "((ab)+c?)+"),
        ("(a+){10}", "(a+){10}"),
        ("(?:x+)+y", "(?:x+)+"),
        ("(?<word>\\d+)+", "(?<word>\\d+)+"),
        ("[a-z]+([a-z]+)*", "([a-z]+)*"),
        ("(a+?)+", "(a+?)+"),
        ("(a{1,3})*", "(a{1,3})*"),
        // A delimiter that something else in the group can match, or that may be left out.
        ("(-[a-z]+|[a-z]+)+", "(-[a-z]+|[a-z]+)+"),
        ("(\\.[a-z.]+)+", "(\\.[a-z.]+)+"),
        ("(-[a-z-]+)*", "(-[a-z-]+)*"),
        ("(-.+)*", "(-.+)*"),
        ("(-[^x]+)*", "(-[^x]+)*"),
        ("(-\\S+)*", "(-\\S+)*"),
        ("(-[!-/]+)*", "(-[!-/]+)*"),
        ("(-?[a-z]+)+", "(-?[a-z]+)+"),
        ("(x[a-z]+)*", "(x[a-z]+)*"),
        ("(_\\w+)*", "(_\\w+)*"),
        ("(-\\-?[a-z]+)*", "(-\\-?[a-z]+)*"),
        ("( \\s*[a-z]+)*", "( \\s*[a-z]+)*"),
        ("( \\p{L}+)*", "( \\p{L}+)*"),
    ])
    func flagsARepeatedGroupThatRepeatsInside(pattern: String, group: String) {
        #expect(RegexBacktracking.nestedRepetition(in: pattern) == group)
    }

    @Test(arguments: [
        "[a-z]+(-[a-z]+)*",
        "[A-Za-z0-9@._:-]+",
        "[0-9]{1,3}(\\.[0-9]{1,3}){3}",
        "(?>a+)+",
        "(a++)+",
        "(a+)++",
        "(ab)+",
        "(a+)?",
        "(\\d{2})+",
        "([]a+]+)",
        "[(]+a+[)]+",
        "\\(a+\\)+",
        "(:[0-9]+)?(/[a-z0-9_]+)*",
        "[A-Za-z]+( [A-Za-z]+)*",
        "(?i)[a-z]+",
        "",
    ])
    func allowsWhatIsSplitOneWay(pattern: String) {
        #expect(RegexBacktracking.nestedRepetition(in: pattern) == nil)
    }

    /// What the guard is for: the allowed rewrite of a flagged pattern checks a hostile value at
    /// once. (`(a+)+b` took 0.9 s at 16 characters, 6 s at 18.)
    @Test func theAllowedPatternsAreQuickOnAnAlmostMatchingValue() throws {
        let value = String(repeating: "a", count: 20_000) + "!"
        for pattern in ["[a-z]+(-[a-z]+)*", "[0-9]{1,3}(\\.[0-9]{1,3}){3}", "(?>[a-z0-9]+-?)+"] {
            let start = ContinuousClock.now
            _ = try Regex(pattern).wholeMatch(in: value)
            #expect(ContinuousClock.now - start < .seconds(2), "\(pattern)")
        }
    }

    /// Any text, valid pattern or not, is read to its end without trapping.
    @Test func readsAnyTextWithoutTrapping() {
        let alphabet = Array("()[]{}\\+*?|^$-.,:<>='!P0123ab ")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let pattern = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
            _ = RegexBacktracking.nestedRepetition(in: pattern)
        }
    }
}
