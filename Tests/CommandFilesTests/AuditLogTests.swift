import Logging
import Synchronization
import Testing
import XMPPCore
@testable import CommandFiles

@Suite struct AuditLogTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func anEntryIsOneJSONLineWithSecretsRedacted() throws {
        let definition = try Fixture.definition("""
        exec = ["/bin/echo"]
        [[param]]
        var = "name"
        [[param]]
        var = "password"
        type = "text-private"
        [[param]]
        var = "hosts"
        type = "text-multi"
        """)
        var entry = AuditEntry(
            requester: Fixture.alice, node: "test",
            parameters: AuditEntry.parameters(["name": ["a \"quoted\"\nline"], "password": ["hunter2"], "hosts": ["x", "y"], "junk": ["z"]], of: definition),
            decision: .allowed, time: "2026-11-25T07:38:00.123Z")
        entry.outcome = .exited
        entry.exitStatus = 0
        entry.duration = 1.5
        entry.outputTruncated = false
        #expect(entry.jsonLine == #"{"time":"2026-11-25T07:38:00.123Z","requester":"alice@example.org/phone","node":"test","parameters":{"name":"a \"quoted\"\nline","password":"<redacted>","hosts":["x","y"]},"decision":"allowed","outcome":"exited","exit_status":0,"duration":1.500,"output_truncated":false}"#)
        #expect(!entry.jsonLine.contains("hunter2"))

        var refused = AuditEntry(requester: Fixture.alice, node: "test", decision: .refused, time: "t")
        refused.reason = "not allowed"
        #expect(refused.jsonLine == #"{"time":"t","requester":"alice@example.org/phone","node":"test","parameters":{},"decision":"refused","reason":"not allowed","exit_status":null,"duration":null}"#)
    }

    @Test func escapesControlCharacters() {
        #expect(JSONText.string("a\u{1}b\u{7F}\u{2028}\\") == #""a\u0001b\u007f\u2028\\""#)
        #expect(AuditTime.timestamp(seconds: 0, nanoseconds: 5_000_000) == "1970-01-01T00:00:00.005Z")
        #expect(JSONText.number(0.0004) == "0.000")
    }

    @Test func appendsLinesAndRefusesWhenItCannotWrite() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = AuditLog(logger: quiet)
        #expect(log.problem != nil)
        #expect(log.open(path: "\(directory.path)/audit.jsonl") == nil)
        #expect(log.record(AuditEntry(requester: Fixture.alice, node: "a", decision: .refused, time: "t1")))
        #expect(log.record(AuditEntry(requester: Fixture.alice, node: "b", decision: .declined, time: "t2")))
        let lines = directory.read("audit.jsonl").split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains(#""node":"a""#) == true)

        let problem = log.open(path: "\(directory.path)/missing/audit.jsonl")
        #expect(problem?.contains("create \(directory.path)/missing") == true)
        #expect(log.problem != nil)
        #expect(!log.record(AuditEntry(requester: Fixture.alice, node: "c", decision: .refused)))
    }

    @Test func valuesAndLinesAreCut() throws {
        let definition = try Fixture.definition("""
        exec = ["/bin/echo"]
        [[param]]
        var = "huge"
        [[param]]
        var = "many"
        type = "text-multi"
        """)
        let huge = String(repeating: "é", count: 100_000)
        var entry = AuditEntry(
            requester: Fixture.alice, node: "test",
            parameters: AuditEntry.parameters(["huge": [huge], "many": Array(repeating: "x", count: 5000)], of: definition), decision: .refused)
        entry.reason = String(repeating: "\u{1}", count: 5000)
        let line = entry.jsonLine
        #expect(line.utf8.count <= AuditEntry.lineLimit)
        #expect(line.contains("…[cut: 200000 bytes]"))
        #expect(line.contains(#""parameters_cut":true"#))
        #expect(line.contains("…[cut: 5000 bytes]"))
        // Still one JSON object: the cut never splits an escape.
        #expect(!line.contains("\\u00…"))
        #expect(JSONText.string("abcdef", limit: 100) == #""abcdef""#)
        #expect(JSONText.string(String(repeating: "a", count: 100), limit: 40).utf8.count <= 42)
    }

    @Test func refusalsAreRateLimitedPerRequester() {
        let clock = Mutex(ContinuousClock.now)
        let limiter = RefusalLimiter(burst: 2, window: .seconds(60), capacity: 3, now: { clock.withLock { $0 } })
        #expect(limiter.decide(for: "a@x") == .write(suppressedBefore: 0))
        #expect(limiter.decide(for: "a@x") == .write(suppressedBefore: 0))
        #expect(limiter.decide(for: "a@x") == .suppress)
        #expect(limiter.decide(for: "a@x") == .suppress)
        // Others are not held up by one flooding.
        #expect(limiter.decide(for: "b@x") == .write(suppressedBefore: 0))
        clock.withLock { $0 += .seconds(61) }
        #expect(limiter.decide(for: "a@x") == .write(suppressedBefore: 2))
        #expect(limiter.decide(for: "a@x") == .write(suppressedBefore: 0))
        // The table stays bounded: newcomers past its capacity share one tally.
        for name in ["c@x", "d@x", "e@x", "f@x", "g@x"] { _ = limiter.decide(for: name) }
        #expect(limiter.trackedCount <= 4)
    }
}
