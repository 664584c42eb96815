import AdhocdKit
import ArgumentParser
import Logging
import XMPPClient
import XMPPCore

/// Drives adhocd and, beside it, the slixmpp peer doing the same work, with the same client
/// connections against the same server; starts both bots itself (start-to-online is measured
/// from the spawn) and reports latency, CPU, memory and idle wake-ups side by side.
/// `bench/run` sets up the server, the accounts and the launchers.
@main
enum Main {
    static func main() async {
        // The load generator runs like the bot: one event loop, no thread hops.
        if !EventLoopRuntime.install(threads: 1) {
            print("warning: Swift concurrency is not on the event loop (bot and load generator pay thread hops)")
        }
        await AdhocdBench.main()
    }
}

struct AdhocdBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adhocd-bench",
        abstract: "Benchmark adhocd against a slixmpp peer on a live server (use bench/run).")

    @Option(help: "Server address.") var host = "127.0.0.1"
    @Option(help: "Server c2s port.") var port: Int
    @Option(help: "CA file trusted for the server's certificate.") var caFile: String
    @Option(help: "Load account (bare JID); each connection is one resource of it.") var account: String
    @Option(help: "Its password.") var password: String
    @Option(help: "adhocd's full JID.") var bot: String
    @Option(help: "Program that execs adhocd (bench/run writes it).") var botLauncher: String
    @Option(help: "The peer bot's full JID (leave out to measure adhocd alone).") var peer: String?
    @Option(help: "Program that execs the peer bot.") var peerLauncher: String?
    @Option(help: "The peer's name in the report.") var peerName = "slixmpp bot"
    @Flag(help: "The launchers start the bots under a wrapper (a profiler): measure its child.") var wrapped = false
    @Option(help: "Program run as PROGRAM NAME PID OUTPUT when the bots are idle (memory by mapping).") var memoryReport: String?
    @Option(help: "Directory for the memory reports' output files.") var reportDirectory = "."
    @Option(help: "Concurrent client connections in the load phase.") var clients = 8
    @Option(help: "Seconds of measured load.") var duration = 10
    @Option(help: "Seconds of measured idleness (wake-ups).") var idle = 10
    @Option(help: "The XMPP server's pid: its CPU per request is shown beside the bots'.") var serverPid: Int32?
    @Option(help: "Pings for the round-trip floor, and commands in the sequential phase.") var samples = 1000
    @Option(help: "The two-stage command to run.") var node = "echo"
    @Option(help: "Full JID of the scale bot: adhocd with a big commands.d (leave out to skip the scale phase).") var scaleBot: String?
    @Option(help: "Program that execs the scale bot.") var scaleLauncher: String?
    @Option(help: "Commands in the scale bot's commands.d.") var registered = 10_000
    @Option(help: "Sessions the scale phase leaves open.") var openSessions = 1000
    @Option(help: "Contact accounts contact1…contactN (same domain) for the scale phase.") var contacts = 50
    @Option(help: "Their password.") var contactPassword = "contactpw"

    func run() async throws {
        let inProcess = try await ResponderBenchmark.perCommand(iterations: 20_000)
        let accountJID = try JID(account)
        let connections = (1...max(1, clients)).map { connect(accountJID, password: password, resource: "bench-\($0)") }
        defer { for client in connections { client.stop() } }
        for client in connections { try await BenchRequests.waitOnline(client.client) }
        let clients = connections.map(\.client)

        var targets = [BenchTarget(name: "adhocd", jid: try JID(bot), launcher: botLauncher, node: node)]
        if let peer, let peerLauncher {
            targets.append(BenchTarget(name: peerName, jid: try JID(peer), launcher: peerLauncher, node: node))
        }
        defer { for target in targets { target.stop() } }
        for target in targets { try await target.start(pinger: clients[0], wrapped: wrapped) }

        // Idle: both bots online, nobody talking to them.
        try await Task.sleep(for: .seconds(2))
        let switches = targets.map { $0.probe.contextSwitches() }
        try await Task.sleep(for: .seconds(idle))
        for (target, before) in zip(targets, switches) {
            target.figures.idleWakeups = target.probe.contextSwitches() - before
            target.figures.idle = target.probe.memory()
        }
        if let memoryReport {
            for target in targets {
                let output = "\(reportDirectory)/memory-\(target.name.split(separator: " ").joined(separator: "-")).txt"
                try LaunchedProcess(name: "memory report", program: memoryReport, arguments: [target.name, "\(target.probe.pid)", output]).wait()
            }
        }

        for target in targets {
            try await target.measureLoad(connections: clients, samples: samples, duration: .seconds(duration),
                                         server: serverPid.map { ProcessProbe(pid: $0) })
            target.stop()
        }

        print("adhocd benchmark: \(samples) pings and \(samples) sequential `\(node)` commands on one connection, " +
              "then \(self.clients) connections for \(duration) s, against each bot in turn")
        let report = ComparisonReport(bot: targets[0].figures, peer: targets.count > 1 ? targets[1].figures : nil,
                                      peerName: peerName, clients: self.clients, idleSeconds: idle)
        print(report.render())
        print("adhocd's responder alone per command (in process, no I/O): \(Report.micros(inProcess))")
        print()
        print(report.pathBreakdown())

        if let scaleBot, let scaleLauncher {
            let domain = accountJID.domain
            let contactConnections = try (1...max(1, contacts)).map {
                connect(try JID("contact\($0)@\(domain)"), password: contactPassword, resource: "bench")
            }
            defer { for client in contactConnections { client.stop() } }
            for client in contactConnections { try await BenchRequests.waitOnline(client.client) }
            let scale = ScaleBench(
                bot: BenchTarget(name: "adhocd-scale", jid: try JID(scaleBot), launcher: scaleLauncher, node: node),
                owner: clients[0], contacts: contactConnections.map(\.client), registered: registered,
                openSessions: openSessions, samples: samples, duration: .seconds(max(3, duration / 2)),
                reference: targets[0].figures.idle)
            let figures = try await scale.run(wrapped: wrapped)
            print()
            print(scale.report(figures))
        }
    }

    private func connect(_ jid: JID, password: String, resource: String) -> RunningClient {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let client = XMPPClient(configuration: ClientConfiguration(
            account: jid, password: Secret(password), resource: resource,
            host: host, port: port, tlsSettings: TLSSettings(caFile: caFile),
            requestTimeout: .seconds(30), keepaliveInterval: .seconds(3600)), logger: logger)
        return RunningClient(client: client, task: Task { await client.run() })
    }
}

/// A client connection and the task running it.
struct RunningClient {
    let client: XMPPClient
    let task: Task<Void, Never>

    func stop() { task.cancel() }
}
