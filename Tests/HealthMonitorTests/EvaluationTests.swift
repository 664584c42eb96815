import Testing
import XMPPCore
@testable import HealthMonitor

/// Readings → levels → show and status text, with made-up readings.
@Suite struct EvaluationTests {
    let evaluator = HealthEvaluator(thresholds: HealthThresholds())

    func report(_ results: [ProbeResult]) -> HealthReport { evaluator.evaluate(results) }

    let healthy: [ProbeResult] = [
        ProbeResult(.load, .reading(.load(oneMinute: 0.42, processors: 2))),
        ProbeResult(.memory, .reading(.memory(usedPercent: 37))),
        ProbeResult(.disk("/"), .reading(.disk(usedPercent: 61))),
        ProbeResult(.uptime, .reading(.uptime(seconds: 86_400 * 12 + 50))),
        ProbeResult(.failedUnits, .reading(.failedUnits([]))),
    ]

    @Test func thresholdsApplyAtTheLimitAndCanBeOff() {
        let above = Threshold.above(warning: 85, critical: 95)
        #expect(above.level(for: 84.9) == .ok)
        #expect(above.level(for: 85) == .warning)
        #expect(above.level(for: 95) == .critical)
        let below = Threshold.below(warning: 900, critical: 120)
        #expect(below.level(for: 60) == .critical)
        #expect(below.level(for: 600) == .warning)
        #expect(below.level(for: 900) == .ok)
        #expect(Threshold.above(warning: nil, critical: nil).level(for: 1e9) == .ok)
        #expect(Threshold.above(warning: nil, critical: 2).level(for: 1.5) == .ok)
    }

    @Test func levelsMapToShow() {
        #expect(HealthLevel.ok.show == .online)
        #expect(HealthLevel.warning.show == .away)
        #expect(HealthLevel.critical.show == .dnd)
        #expect(HealthLevel.allCases.max() == .critical)
    }

    @Test func aHealthyMachineShowsItsNumbersAtAGlance() {
        let report = report(healthy)
        #expect(report.level == .ok)
        let presence = HealthPresence(report: report, format: .default, host: "box")
        #expect(presence.show == .online)
        // Uptime and failed units only speak up when something is wrong.
        #expect(presence.status == "load 0.4 · mem 37% · / 61%")
    }

    @Test func loadIsJudgedPerProcessor() {
        let busyFour = report([ProbeResult(.load, .reading(.load(oneMinute: 3.9, processors: 4)))])
        #expect(busyFour.level == .ok)
        let busyOne = report([ProbeResult(.load, .reading(.load(oneMinute: 3.9, processors: 1)))])
        #expect(busyOne.level == .critical)
        #expect(busyOne.items[0].text == "load 3.9 (critical)")
    }

    @Test func whatIsWrongComesFirstWorstFirst() {
        var results = healthy
        results[1] = ProbeResult(.memory, .reading(.memory(usedPercent: 90)))
        results[2] = ProbeResult(.disk("/"), .reading(.disk(usedPercent: 97)))
        results.append(ProbeResult(.disk("/home"), .reading(.disk(usedPercent: 20))))
        let report = report(results)
        #expect(report.level == .critical)
        let presence = HealthPresence(report: report, format: .default, host: "box")
        #expect(presence.show == .dnd)
        #expect(presence.status == "/ 97% (critical) · mem 90% (warning) · load 0.4 · /home 20%")
    }

    @Test func failedUnitsAndARecentRebootSpeakUp() {
        let thresholds = HealthThresholds(uptime: .below(warning: 900, critical: nil), failedUnits: .above(warning: 1, critical: 3))
        let report = HealthEvaluator(thresholds: thresholds).evaluate([
            ProbeResult(.uptime, .reading(.uptime(seconds: 300))),
            ProbeResult(.failedUnits, .reading(.failedUnits(["a.service", "b.service", "c.service", "d.timer"]))),
        ])
        #expect(report.level == .critical)
        #expect(StatusFormat.default.render(report, host: "box") == "failed: a.service, b.service, c.service +1 · up 5 min (warning)")
    }

    @Test func theProbeCommandDecidesByExitStatus() {
        func item(_ status: Int32, _ line: String) -> HealthItem {
            evaluator.evaluate([ProbeResult(.command("check-backup"), .reading(.command(exitStatus: status, line: line)))]).items[0]
        }
        #expect(item(0, "backup 3 h old") == HealthItem(kind: .command("check-backup"), level: .ok, text: "backup 3 h old", isGlanceable: true))
        #expect(item(1, "backup 30 h old").level == .warning)
        #expect(item(2, "backup failed").level == .critical)
        #expect(item(2, "").text == "check-backup critical")
        #expect(item(3, "oops").level == .warning)
        #expect(item(3, "oops").text == "check-backup: exit 3 (oops)")
    }

    @Test func failingAndHangingProbesAreReportedNotHidden() {
        let report = report([
            ProbeResult(.load, .reading(.load(oneMinute: 0.1, processors: 1))),
            ProbeResult(.disk("/srv"), .timedOut),
            ProbeResult(.memory, .failed("cannot read /proc/meminfo")),
            ProbeResult(.failedUnits, .unavailable("no system bus")),
        ])
        #expect(report.level == .warning)
        #expect(StatusFormat.default.render(report, host: "box") == "disk /srv: timed out · mem: cannot read /proc/meminfo · load 0.1")
    }

    @Test func unavailableProbesAreLeftOut() throws {
        let report = report([ProbeResult(.failedUnits, .unavailable("no systemd")), ProbeResult(.memory, .reading(.memory(usedPercent: 10)))])
        #expect(report.level == .ok)
        #expect(StatusFormat.default.render(report, host: "box") == "mem 10%")
        #expect(try StatusFormat("{units}").render(report, host: "box") == "")
    }
}

@Suite struct StatusFormatTests {
    let report = HealthEvaluator(thresholds: HealthThresholds()).evaluate([
        ProbeResult(.load, .reading(.load(oneMinute: 2.5, processors: 2))),
        ProbeResult(.memory, .reading(.memory(usedPercent: 37))),
        ProbeResult(.disk("/"), .reading(.disk(usedPercent: 61))),
        ProbeResult(.disk("/home"), .reading(.disk(usedPercent: 12))),
        ProbeResult(.uptime, .reading(.uptime(seconds: 7200))),
    ])

    @Test func placeholdersPickParts() throws {
        #expect(try StatusFormat("{host}: {level}").render(report, host: "web1") == "web1: warning")
        #expect(try StatusFormat("{disks}").render(report, host: "web1") == "/ 61% · /home 12%")
        #expect(try StatusFormat("{problems}").render(report, host: "web1") == "load 2.5 (warning)")
        #expect(try StatusFormat("{memory} | {uptime}").render(report, host: "web1") == "mem 37% | up 2 h")
    }

    @Test func emptyPartsTakeTheirSeparatorWithThem() throws {
        let healthy = HealthEvaluator(thresholds: HealthThresholds()).evaluate([ProbeResult(.memory, .reading(.memory(usedPercent: 5)))])
        #expect(try StatusFormat("{problems} · {memory} ·  {command}").render(healthy, host: "h") == "mem 5%")
    }

    @Test func badTemplatesAreRefused() {
        #expect(throws: StatusFormatError.unknownPlaceholder("mem")) { try StatusFormat("{mem}") }
        #expect(throws: StatusFormatError.unclosedBrace) { try StatusFormat("load {load") }
        #expect(throws: StatusFormatError.unopenedBrace) { try StatusFormat("load} {load}") }
        #expect(throws: StatusFormatError.unopenedBrace) { try StatusFormat("{load} }") }
    }

    @Test func longTextIsCut() throws {
        let text = StatusFormat.tidy(String(repeating: "x", count: 500))
        #expect(text.count == StatusFormat.maximumLength)
        #expect(text.hasSuffix("…"))
    }
}
