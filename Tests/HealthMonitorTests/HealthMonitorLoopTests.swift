import Logging
import Synchronization
import Testing
@testable import HealthMonitor

/// The loop with scripted probes and a short interval: what is published, when, and alerts.
@Suite struct HealthMonitorLoopTests {
    final class Recorder: Sendable {
        let presences = Mutex<[(ContinuousClock.Instant, HealthPresence)]>([])
        let alerts = Mutex<[HealthAlert]>([])

        func published() -> [HealthPresence] { presences.withLock { $0.map(\.1) } }

        func wait(_ description: String, timeout: Duration = .seconds(10), until condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while !condition() {
                guard ContinuousClock.now < deadline else { throw LoopTestFailure("timed out waiting for \(description): \(published())") }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    struct LoopTestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func makeMonitor(_ probes: [any HealthProbe], interval: Duration = .milliseconds(300), recorder: Recorder) -> HealthMonitor {
        var settings = MonitorSettings()
        settings.interval = interval
        settings.probeTimeout = .milliseconds(200)
        settings.alerts = [.group("admins")]
        settings.alertInterval = .zero
        var logger = Logger(label: "test.monitor")
        logger.logLevel = .critical
        return HealthMonitor(settings: settings, probes: probes, host: "box", logger: logger, publish: { presence in
            recorder.presences.withLock { $0.append((.now, presence)) }
        }, alert: { alert in
            recorder.alerts.withLock { $0.append(alert) }
        })
    }

    @Test func publishesChangesAtMostOncePerIntervalAndAlerts() async throws {
        let check = ScriptedProbe(.command("check"), .reading(.command(exitStatus: 0, line: "all good")))
        let recorder = Recorder()
        let monitor = makeMonitor([check], recorder: recorder)
        let task = Task { await monitor.run() }
        defer { task.cancel() }

        try await recorder.wait("the first presence") { recorder.published().count == 1 }
        #expect(recorder.published()[0] == HealthPresence(show: .online, status: "all good"))
        // Unchanged rounds send nothing.
        try await Task.sleep(for: .milliseconds(700))
        #expect(recorder.published().count == 1)

        check.set(.reading(.command(exitStatus: 2, line: "backup failed")))
        try await recorder.wait("the critical presence") { recorder.published().last?.show == .dnd }
        #expect(recorder.published().last?.status == "backup failed")
        #expect(recorder.alerts.withLock { $0.map(\.body) } == ["box is critical (was ok): backup failed"])

        check.set(.reading(.command(exitStatus: 1, line: "backup 30 h old")))
        try await recorder.wait("the warning presence") { recorder.published().last?.show == .away }
        check.set(.reading(.command(exitStatus: 0, line: "all good")))
        try await recorder.wait("recovery") { recorder.published().last?.show == .online }
        #expect(recorder.alerts.withLock { $0.map(\.change.to) } == [.critical, .warning, .ok])

        let times = recorder.presences.withLock { $0.map(\.0) }
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later - earlier >= .milliseconds(300), "two presences \(later - earlier) apart")
        }
    }

    @Test func aHangingProbeIsReportedAndTheLoopGoesOn() async throws {
        let stuck = ScriptedProbe(.disk("/mnt/nfs"), delay: .seconds(30), .reading(.disk(usedPercent: 1)))
        let check = ScriptedProbe(.command("check"), .reading(.command(exitStatus: 0, line: "fine")))
        let recorder = Recorder()
        let monitor = makeMonitor([stuck, check], recorder: recorder)
        let task = Task { await monitor.run() }
        defer { task.cancel() }

        try await recorder.wait("the timed-out disk") { recorder.published().last?.status == "disk /mnt/nfs: timed out · fine" }
        #expect(recorder.published().last?.show == .away)
        check.set(.reading(.command(exitStatus: 0, line: "still fine")))
        try await recorder.wait("later rounds") { recorder.published().last?.status == "disk /mnt/nfs: timed out · still fine" }
        #expect(stuck.runs.withLock { $0 } == 1)
    }

    @Test func cancellationEndsTheLoop() async throws {
        let recorder = Recorder()
        let monitor = makeMonitor([ScriptedProbe(.memory, .reading(.memory(usedPercent: 5)))], interval: .seconds(3600), recorder: recorder)
        let task = Task { await monitor.run() }
        try await recorder.wait("the first presence") { !recorder.published().isEmpty }
        let start = ContinuousClock.now
        task.cancel()
        await task.value
        // Far below the hour-long interval; wide, since parallel tests can stall this process.
        #expect(ContinuousClock.now - start < .seconds(30))
    }
}
