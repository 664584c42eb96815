import Testing
import XMPPCore
@testable import Chat

@Suite struct OptionMatcherTests {
    /// The media remote's buttons, as the MPRIS bridge labels them.
    let buttons: [FormField.Option] = [
        .init("play-pause", label: "⏯ Play/Pause"), .init("previous", label: "⏮ Previous"), .init("next", label: "⏭ Next"),
        .init("stop", label: "⏹ Stop"), .init("volume-down", label: "🔉 Volume −"), .init("volume-up", label: "🔊 Volume +"),
        .init("seek-back", label: "⏪ −10 s"), .init("seek-forward", label: "⏩ +30 s"), .init("refresh", label: "↻ Refresh"),
    ]

    func match(_ typed: String) -> OptionMatcher.Match { OptionMatcher.match(typed, in: buttons) }

    @Test func buttonsByTheWordsPeopleType() {
        for (typed, value) in [
            ("play-pause", "play-pause"), ("Play/Pause", "play-pause"), ("play", "play-pause"), ("pause", "play-pause"),
            ("next", "next"), ("prev", "previous"), ("STOP", "stop"), ("vol+", "volume-up"), ("vol-", "volume-down"),
            ("vol−", "volume-down"), ("volume +", "volume-up"), ("up", "volume-up"), ("down", "volume-down"), ("+30", "seek-forward"),
            ("-10", "seek-back"), ("back", "seek-back"), ("refresh", "refresh"), ("1", "play-pause"), ("9", "refresh"),
        ] {
            #expect(match(typed) == .option(value), "\(typed)")
        }
    }

    @Test func ambiguousAndUnknownWords() {
        #expect(match("vol") == .ambiguous(["volume-down", "volume-up"]))
        #expect(match("volume") == .ambiguous(["volume-down", "volume-up"]))
        #expect(match("s") == .ambiguous(["stop", "seek-back", "seek-forward"]))
        for typed in ["10", "0", "-9223372036854775808", "99999999999999999999999", "louder", "", "  ", "🔊"] {
            #expect(match(typed) == .none, "\(typed)")
        }
    }

    @Test func anExactValueWinsOverANumber() {
        let options: [FormField.Option] = [.init("10"), .init("2"), .init("1")]
        #expect(OptionMatcher.match("2", in: options) == .option("2"))
        #expect(OptionMatcher.match("3", in: options) == .option("1"))
    }
}
