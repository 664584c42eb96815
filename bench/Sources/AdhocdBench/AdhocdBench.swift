import AdHoc
import AdhocdKit
import BuiltinCommands
import Commands
import ArgumentParser
import Logging
import Synchronization
import XMPPClient
import XMPPCore
#if canImport(Glibc)
import Glibc
#endif

/// Drives a running adhocd with many client connections and reports latency, throughput, and
/// the bot's CPU and memory (from /proc). `bench/run` sets up the server and the bot.
@main
enum Main {
    static func main() async {
        // The load generator runs like the bot: one event loop, no thread hops.
        EventLoopRuntime.install(threads: 1)
        await AdhocdBench.main()
    }
}

struct AdhocdBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adhocd-bench",
        abstract: "Benchmark adhocd's command path against a live server (use bench/run).")

    @Option(help: "Server address.") var host = "127.0.0.1"
    @Option(help: "Server c2s port.") var port: Int
    @Option(help: "CA file trusted for the server's certificate.") var caFile: String
    @Option(help: "Load account (bare JID); each connection is one resource of it.") var account: String
    @Option(help: "Its password.") var password: String
    @Option(help: "The bot's full JID.") var bot: String
    @Option(help: "The bot's process id, for CPU and RSS readings.") var botPid: Int32
    @Option(help: "Concurrent client connections in the load phase.") var clients = 8
    @Option(help: "Seconds of measured load.") var duration = 10
    @Option(help: "Pings for the round-trip floor, and commands in the sequential phase.") var samples = 1000
    @Option(help: "The two-stage command to run.") var node = "echo"

    func run() async throws {
        let inProcess = try await ResponderBenchmark.perCommand(iterations: 20_000)
        let botJID = try JID(bot)
        let accountJID = try JID(account)
        var logger = Logger(label: "bench")
        logger.logLevel = .error

        let connections = (1...max(1, clients)).map { index in
            XMPPClient(configuration: ClientConfiguration(
                account: accountJID, password: Secret(password), resource: "bench-\(index)",
                host: host, port: port, tlsSettings: TLSSettings(caFile: caFile),
                requestTimeout: .seconds(10), keepaliveInterval: .seconds(3600)), logger: logger)
        }
        let tasks = connections.map { client in Task { await client.run() } }
        defer { for task in tasks { task.cancel() } }
        for client in connections { try await waitOnline(client) }
        let probe = ProcessProbe(pid: botPid)
        try await Task.sleep(for: .seconds(1))
        let idleRSS = probe.residentBytes()
        let idleAnonymous = probe.anonymousBytes()

        // Floor: one connection, sequential XEP-0199 pings to the bot.
        let first = connections[0]
        for _ in 0..<50 { try await ping(first, botJID) }
        var pings = Samples()
        let cpuBeforePings = probe.cpuSeconds()
        for _ in 0..<samples { pings.append(try await timed { try await ping(first, botJID) }) }
        let pingCPU = probe.cpuSeconds() - cpuBeforePings

        // Latency: one connection, sequential two-stage commands.
        for _ in 0..<50 { try await runCommand(first, botJID) }
        var sequential = Samples()
        let cpuBeforeSequential = probe.cpuSeconds()
        for _ in 0..<samples { sequential.append(try await timed { try await runCommand(first, botJID) }) }
        let sequentialCPU = probe.cpuSeconds() - cpuBeforeSequential

        // Throughput: every connection in a loop for `duration` seconds.
        let peakRSS = Mutex(idleRSS)
        let sampler = Task {
            while !Task.isCancelled {
                let rss = probe.residentBytes()
                peakRSS.withLock { $0 = max($0, rss) }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        let cpuBefore = probe.cpuSeconds()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(duration)
        let start = clock.now
        let loaded = try await withThrowingTaskGroup(of: Samples.self) { group in
            for client in connections {
                group.addTask {
                    var samples = Samples()
                    while clock.now < deadline {
                        samples.append(try await timed { try await runCommand(client, botJID) })
                    }
                    return samples
                }
            }
            var all = Samples()
            for try await part in group { all.merge(part) }
            return all
        }
        let elapsed = clock.now - start
        let loadCPU = probe.cpuSeconds() - cpuBefore
        sampler.cancel()
        for client in connections { await client.shutdown() }

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let report = [
            ("ping round trip to the bot, p50", Report.micros(pings.percentile(50))),
            ("ping round trip to the bot, p99", Report.micros(pings.percentile(99))),
            ("command latency (1 connection), p50", Report.micros(sequential.percentile(50))),
            ("command latency (1 connection), p99", Report.micros(sequential.percentile(99))),
            ("  = p50 latency / (2 × p50 ping)", Report.ratio(sequential.percentile(50) / (2 * pings.percentile(50)))),
            ("command latency (\(clients) connections), p50", Report.micros(loaded.percentile(50))),
            ("command latency (\(clients) connections), p99", Report.micros(loaded.percentile(99))),
            ("commands per second (\(clients) connections)", "\(Int(Double(loaded.count) / seconds))"),
            ("bot CPU per ping (the floor of one request)", Report.micros(pingCPU / Double(pings.count))),
            ("bot CPU per command (1 connection)", Report.micros(sequentialCPU / Double(sequential.count))),
            ("bot CPU per command (\(clients) connections)", Report.micros(loadCPU / Double(max(1, loaded.count)))),
            ("responder alone per command (in process, no I/O)", Report.micros(inProcess)),
            ("bot RSS idle", Report.megabytes(idleRSS)),
            ("  of which private (RssAnon)", Report.megabytes(idleAnonymous)),
            ("bot RSS under load (peak)", Report.megabytes(peakRSS.withLock { $0 })),
        ]
        let width = report.map(\.0.count).max() ?? 0
        print("adhocd benchmark: \(samples) pings, \(sequential.count) sequential and \(loaded.count) concurrent commands (\(node))")
        for (label, value) in report {
            print(label + String(repeating: " ", count: width - label.count) + "  " + value)
        }
    }

    private func waitOnline(_ client: XMPPClient) async throws {
        for _ in 0..<300 where !client.isOnline {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard client.isOnline else { throw ValidationError("a load connection did not come online in 15 s") }
    }

    private func ping(_ client: XMPPClient, _ bot: JID) async throws {
        _ = try await client.request(IQ(.get, id: client.makeStanzaID(), to: bot, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
    }

    /// execute → form → complete, checking each answer.
    private func runCommand(_ client: XMPPClient, _ bot: JID) async throws {
        let commands = "http://jabber.org/protocol/commands"
        let first = try await client.request(IQ(.set, id: client.makeStanzaID(), to: bot, payload: XMLElement(
            "command", namespace: commands, ["node": node, "action": "execute"])))
        guard let command = first.payload, command[attribute: "status"] == "executing",
              let session = command[attribute: "sessionid"]
        else { throw ValidationError("unexpected first answer: \(first.element.serialized())") }
        var form = DataForm(.submit, fields: [FormField("text", type: nil, values: ["benchmark"])])
        form.formType = nil
        let second = try await client.request(IQ(.set, id: client.makeStanzaID(), to: bot, payload: XMLElement(
            "command", namespace: commands, ["node": node, "sessionid": session, "action": "complete"],
            children: [.element(form.element)])))
        guard second.payload?[attribute: "status"] == "completed" else {
            throw ValidationError("unexpected second answer: \(second.element.serialized())")
        }
    }
}

/// Durations in seconds, with percentiles.
struct Samples: Sendable {
    private var values: [Double] = []

    var count: Int { values.count }

    mutating func append(_ value: Double) { values.append(value) }

    mutating func merge(_ other: Samples) { values += other.values }

    func percentile(_ percent: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }
}

func timed(_ body: () async throws -> Void) async throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try await body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// CPU time and resident memory of another process, from /proc.
struct ProcessProbe: Sendable {
    let pid: Int32

    /// User plus system CPU seconds (/proc/PID/stat fields 14 and 15).
    func cpuSeconds() -> Double {
        guard let text = readProc("stat"), let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after the command name (which may contain spaces) start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// VmRSS from /proc/PID/status, in bytes: everything resident, shared code pages included.
    func residentBytes() -> Int { statusField("VmRSS:") }

    /// RssAnon: the process's own memory (heap, stacks), what it really costs the machine.
    func anonymousBytes() -> Int { statusField("RssAnon:") }

    private func statusField(_ name: String) -> Int {
        guard let text = readProc("status") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kilobytes = Int(parts[1]) { return kilobytes * 1024 }
        }
        return 0
    }

    private func readProc(_ name: String) -> String? {
        let descriptor = open("/proc/\(pid)/\(name)", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }
}

enum Report {
    static func micros(_ seconds: Double) -> String {
        seconds.isNaN ? "n/a" : "\(Int((seconds * 1e6).rounded())) µs"
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10) MiB"
    }

    static func ratio(_ value: Double) -> String {
        value.isNaN ? "n/a" : "\(Int((value * 100).rounded()))%"
    }
}

/// The command path without network or TLS: the responder handling execute and complete for
/// `echo`, from parsed request to serialized answer. Shows what adhocd's own code costs.
enum ResponderBenchmark {
    static func perCommand(iterations: Int) async throws -> Double {
        let account = try JID("bot@bench.invalid")
        let requester = try JID("bench@bench.invalid/1")
        let registry = CommandRegistry()
        registry.setCommands([EchoCommand(policy: AccessPolicy(allow: [.account(requester.bare)]))], provider: "bench")
        var logger = Logger(label: "bench")
        logger.logLevel = .notice
        let responder = CommandResponder(engine: CommandEngine(
            account: account, registry: registry, directory: StaticGroupDirectory(),
            limits: SessionLimits(perAccount: 10, total: 10), scheduler: AdhocdKit.stageScheduler(), logger: logger))
        let commands = "http://jabber.org/protocol/commands"
        let form = DataForm(.submit, fields: [FormField("text", type: nil, values: ["benchmark"])]).element
        var sink = 0
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations {
            let first = try await responder.handle(XMLElement("command", namespace: commands, ["node": "echo", "action": "execute"]), from: requester)
            let session = first[attribute: "sessionid"]
            let done = try await responder.handle(XMLElement(
                "command", namespace: commands, ["node": "echo", "sessionid": session, "action": "complete"],
                children: [.element(form)]), from: requester)
            sink &+= first.serialized().utf8.count &+ done.serialized().utf8.count
        }
        let elapsed = clock.now - start
        precondition(sink > 0)
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / Double(iterations)
    }
}
