import HostMetrics
import Logging

/// The monitor's loop: every interval it runs the probes side by side (each with its time
/// limit), evaluates them, and hands on the presence and alerts that are due.
///
/// Where the presence and alerts go is not its business: the daemon passes closures (the
/// XMPP client, the roster). A probe that fails or hangs becomes part of the report; nothing
/// a probe does ends the loop, only cancellation does.
public final class HealthMonitor: Sendable {
    public let settings: MonitorSettings
    private let runners: [ProbeRunner]
    private let evaluator: HealthEvaluator
    private let host: String
    private let publish: @Sendable (HealthPresence) async -> Void
    private let alert: @Sendable (HealthAlert) async -> Void
    private let logger: Logger

    public init(
        settings: MonitorSettings,
        probes: [any HealthProbe]? = nil,
        host: String = HostReader.hostname(),
        logger: Logger,
        publish: @escaping @Sendable (HealthPresence) async -> Void,
        alert: @escaping @Sendable (HealthAlert) async -> Void
    ) {
        self.settings = settings
        runners = (probes ?? Self.probes(for: settings)).map { ProbeRunner(probe: $0, limit: settings.probeTimeout) }
        evaluator = HealthEvaluator(thresholds: settings.thresholds)
        self.host = host
        self.logger = logger
        self.publish = publish
        self.alert = alert
    }

    /// The probes the settings ask for, in the order the status text lists them.
    public static func probes(for settings: MonitorSettings) -> [any HealthProbe] {
        var probes: [any HealthProbe] = []
        if settings.load { probes.append(HostReadingProbe.load()) }
        if settings.memory { probes.append(HostReadingProbe.memory()) }
        probes += settings.disks.map { HostReadingProbe.disk($0) }
        if settings.uptime { probes.append(HostReadingProbe.uptime()) }
        if settings.failedUnits { probes.append(FailedUnitsProbe(bus: settings.systemBus)) }
        if !settings.probeCommand.isEmpty { probes.append(CommandProbe(arguments: settings.probeCommand)) }
        return probes
    }

    /// One round: every probe, judged.
    public func check() async -> HealthReport {
        let results = await withTaskGroup(of: (Int, ProbeResult).self) { group in
            for (index, runner) in runners.enumerated() {
                group.addTask { (index, await runner.run()) }
            }
            var results = [ProbeResult?](repeating: nil, count: runners.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
        return evaluator.evaluate(results)
    }

    /// Runs until the task is cancelled.
    public func run() async {
        logger.info("health monitor started", metadata: [
            "interval": "\(settings.interval)", "probes": "\(runners.map { "\($0.probe.kind)" }.joined(separator: ", "))",
        ])
        var state = LoopState(settings: settings)
        var nextRound = ContinuousClock.now
        while !Task.isCancelled {
            let report = await check()
            // Cancelled mid-round (reload, shutdown): the probes cut short read as "timed out",
            // which must not reach the presence or the alert recipients.
            guard !Task.isCancelled else { break }
            log(report, previous: state.report)
            state.report = report
            state.latest = HealthPresence(report: report, format: settings.format, host: host)
            await deliverDue(&state)

            nextRound = max(nextRound + settings.interval, ContinuousClock.now)
            // Between rounds, wake only for a presence or alert that the rate limits held back.
            while !Task.isCancelled, ContinuousClock.now < nextRound {
                let wake = [nextRound, state.presenceDue, state.alertDue].compactMap { $0 }.min() ?? nextRound
                do {
                    try await Task.sleep(until: wake, clock: .continuous)
                } catch {
                    break
                }
                await deliverDue(&state)
            }
        }
        for runner in runners { runner.probe.close() }
        logger.info("health monitor stopped")
    }

    // MARK: Delivery

    private struct LoopState {
        var publisher: PresencePublisher
        var alerts: AlertPolicy
        var report: HealthReport?
        var latest: HealthPresence?
        var presenceDue: ContinuousClock.Instant?
        var alertDue: ContinuousClock.Instant?

        init(settings: MonitorSettings) {
            publisher = PresencePublisher(minimumInterval: settings.interval)
            alerts = AlertPolicy(minimumInterval: settings.alertInterval, announcesRecovery: settings.alertOnRecovery)
        }
    }

    /// Offers the latest presence and level; sends what the publisher and alert policy allow now.
    private func deliverDue(_ state: inout LoopState) async {
        guard let latest = state.latest, let report = state.report else { return }
        let now = ContinuousClock.now
        state.presenceDue = nil
        switch state.publisher.offer(latest, at: now) {
        case .send(let presence):
            logger.debug("publishing presence", metadata: ["show": "\(presence.show.rawValue)", "status": "\(presence.status)"])
            await publish(presence)
        case .wait(let until):
            state.presenceDue = until
        case .unchanged:
            break
        }
        state.alertDue = nil
        guard !settings.alerts.isEmpty else { return }
        switch state.alerts.offer(report.level, at: now) {
        case .send(let change):
            await alert(HealthAlert(change: change, host: host, status: latest.status))
        case .wait(let until):
            state.alertDue = until
        case .none:
            break
        }
    }

    /// A line when the level or a probe's trouble changes, not every round.
    private func log(_ report: HealthReport, previous: HealthReport?) {
        if report.level != previous?.level {
            let problems = report.problems.map(\.text).joined(separator: "; ")
            logger.notice("health is \(report.level)", metadata: problems.isEmpty ? [:] : ["problems": "\(problems)"])
        }
        let before = Dictionary((previous?.items ?? []).map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        for item in report.items where !item.isAvailable && before[item.kind]?.isAvailable != false {
            logger.info("probe unavailable here, left out of the status", metadata: ["probe": "\(item.kind)"])
        }
    }
}
