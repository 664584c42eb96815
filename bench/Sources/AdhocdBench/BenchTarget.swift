#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import XMPPClient
import XMPPCore

/// One bot under measurement (adhocd, or the slixmpp peer), and what was measured of it.
final class BenchTarget: @unchecked Sendable {
    let name: String
    let jid: JID
    let launcher: String
    let node: String
    /// Set once started; the probe follows the bot itself, not a wrapper around it.
    private(set) var process: LaunchedProcess?
    private(set) var probe = ProcessProbe(pid: 0)
    var figures = TargetFigures()

    init(name: String, jid: JID, launcher: String, node: String) {
        self.name = name
        self.jid = jid
        self.launcher = launcher
        self.node = node
    }

    /// Spawns the bot and waits until it answers a ping: its start-to-online time.
    func start(pinger: XMPPClient, wrapped: Bool) async throws {
        let start = ContinuousClock.now
        let process = try LaunchedProcess(name: name, program: launcher)
        self.process = process
        figures.startToOnline = try await BenchRequests.waitAnswering(pinger, jid, since: start)
        let wrapper = ProcessProbe(pid: process.pid)
        probe = wrapped ? ProcessProbe(pid: wrapper.children().last ?? process.pid) : wrapper
    }

    /// Stops the bot; under a wrapper, the bot first, so that the wrapper (a profiler) sees its
    /// workload end and finishes its output.
    func stop() {
        guard let process else { return }
        if probe.pid != process.pid { process.signalChild(probe.pid) }
        process.stop()
    }

    /// Sequential pings then sequential commands on one connection, then `connections` running
    /// commands for `duration`; the bot's CPU time over each phase.
    /// `server`: the XMPP server's process, whose CPU per request is read beside the bot's and
    /// this (the client's) process's: the three on a sequential request's path.
    func measureLoad(connections: [XMPPClient], samples: Int, duration: Duration, server: ProcessProbe?) async throws {
        let first = connections[0]
        let client = ProcessProbe(pid: getpid())
        for _ in 0..<50 { try await BenchRequests.ping(first, jid) }
        var pings = Samples()
        var before = (probe.cpuTimes(), server?.cpuSeconds(), client.cpuSeconds())
        for _ in 0..<samples { pings.append(try await timed { try await BenchRequests.ping(first, jid) }) }
        (figures.pingCPU, figures.pingSystemCPU) = Self.perRequest(from: before.0, to: probe.cpuTimes(), samples)
        figures.pingServerCPU = server.map { ($0.cpuSeconds() - (before.1 ?? 0)) / Double(samples) } ?? .nan
        figures.pingClientCPU = (client.cpuSeconds() - before.2) / Double(samples)
        figures.pings = pings

        for _ in 0..<50 { try await BenchRequests.runCommand(first, jid, node: node) }
        var sequential = Samples()
        before = (probe.cpuTimes(), server?.cpuSeconds(), client.cpuSeconds())
        for _ in 0..<samples { sequential.append(try await timed { try await BenchRequests.runCommand(first, jid, node: node) }) }
        (figures.commandCPU, figures.commandSystemCPU) = Self.perRequest(from: before.0, to: probe.cpuTimes(), samples)
        figures.commandServerCPU = server.map { ($0.cpuSeconds() - (before.1 ?? 0)) / Double(samples) } ?? .nan
        figures.commandClientCPU = (client.cpuSeconds() - before.2) / Double(samples)
        figures.sequential = sequential

        let peak = Mutex(probe.residentBytes())
        let probe = self.probe
        let sampler = Task {
            while !Task.isCancelled {
                let rss = probe.residentBytes()
                peak.withLock { $0 = max($0, rss) }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { sampler.cancel() }
        let cpu = probe.cpuSeconds()
        let (loaded, elapsed) = try await Self.concurrentCommands(connections, jid, node: node, duration: duration)
        figures.loadedCPU = (probe.cpuSeconds() - cpu) / Double(max(1, loaded.count))
        figures.loaded = loaded
        figures.loadedRate = Double(loaded.count) / elapsed
        figures.peakResident = peak.withLock { $0 }
        try await Task.sleep(for: .seconds(1))
        figures.afterLoad = probe.memory()
    }

    /// CPU seconds per request between two readings: in all, and of it in the kernel.
    private static func perRequest(
        from before: (user: Double, system: Double), to after: (user: Double, system: Double), _ requests: Int
    ) -> (total: Double, system: Double) {
        let count = Double(requests)
        return ((after.user + after.system - before.user - before.system) / count, (after.system - before.system) / count)
    }

    /// Every connection running the command in a loop until `duration` is over: the latencies
    /// and the seconds it took.
    static func concurrentCommands(_ connections: [XMPPClient], _ bot: JID, node: String, duration: Duration) async throws -> (Samples, Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + duration
        let all = try await withThrowingTaskGroup(of: Samples.self) { group in
            for client in connections {
                group.addTask {
                    var samples = Samples()
                    while clock.now < deadline {
                        samples.append(try await timed { try await BenchRequests.runCommand(client, bot, node: node) })
                    }
                    return samples
                }
            }
            var all = Samples()
            for try await part in group { all.merge(part) }
            return all
        }
        return (all, (clock.now - start).seconds)
    }
}

struct TargetFigures {
    var startToOnline = Double.nan
    var idle = MemoryFigures()
    var idleWakeups = 0
    var pings = Samples()
    var pingCPU = Double.nan
    /// The share of `pingCPU` spent in the kernel (sockets, epoll, scheduling).
    var pingSystemCPU = Double.nan
    var sequential = Samples()
    var commandCPU = Double.nan
    var commandSystemCPU = Double.nan
    /// The server's and the benchmark client's CPU per sequential request, beside the bot's.
    var pingServerCPU = Double.nan
    var pingClientCPU = Double.nan
    var commandServerCPU = Double.nan
    var commandClientCPU = Double.nan
    var loaded = Samples()
    var loadedCPU = Double.nan
    var loadedRate = Double.nan
    var peakResident = 0
    /// Idle again after the load: what stays resident once every path ran.
    var afterLoad = MemoryFigures()
}
