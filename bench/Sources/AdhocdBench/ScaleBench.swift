import XMPPClient
import XMPPCore

/// adhocd at scale, with a second adhocd whose commands.d holds many commands: the command
/// list for one contact, memory per registered command and per open session, and many
/// contacts running commands at once against one.
struct ScaleBench {
    let bot: BenchTarget
    /// The bench account's connection: may run every command.
    let owner: XMPPClient
    /// One connection per contact account, each allowed to run `echo`.
    let contacts: [XMPPClient]
    /// Commands the bot's commands.d holds (bench/run generates them).
    let registered: Int
    let openSessions: Int
    let samples: Int
    let duration: Duration
    /// The comparison's adhocd, idle: the same bot without the generated commands.
    let reference: MemoryFigures

    struct ContactLoad {
        let contacts: Int
        let latencies: Samples
        let rate: Double
        let cpuPerCommand: Double
    }

    struct Figures {
        var startToOnline = Double.nan
        var idle = MemoryFigures()
        var listed = 0
        var listing = Samples()
        var contactListed = 0
        var contactListing = Samples()
        var commandAmongMany = Samples()
        var sessionsOpened = 0
        var perSession = MemoryFigures()
        var commandWithSessionsOpen = Samples()
        var loads: [ContactLoad] = []
    }

    func run(wrapped: Bool) async throws -> Figures {
        var figures = Figures()
        try await bot.start(pinger: owner, wrapped: wrapped)
        defer { bot.stop() }
        figures.startToOnline = bot.figures.startToOnline
        try await Task.sleep(for: .seconds(2))
        figures.idle = bot.probe.memory()

        for _ in 0..<20 { figures.listed = try await BenchRequests.listCommands(owner, bot.jid) }
        for _ in 0..<samples / 5 { figures.listing.append(try await timed { figures.listed = try await BenchRequests.listCommands(owner, bot.jid) }) }

        let first = contacts[0]
        for _ in 0..<20 { figures.contactListed = try await BenchRequests.listCommands(first, bot.jid) }
        for _ in 0..<samples / 5 {
            figures.contactListing.append(try await timed { figures.contactListed = try await BenchRequests.listCommands(first, bot.jid) })
        }
        for _ in 0..<50 { try await BenchRequests.runCommand(first, bot.jid, node: bot.node) }
        for _ in 0..<samples / 5 {
            figures.commandAmongMany.append(try await timed { try await BenchRequests.runCommand(first, bot.jid, node: bot.node) })
        }

        // Sessions left open at their first stage, from one account (its limit is 1,000).
        let before = bot.probe.memory()
        for _ in 0..<openSessions {
            _ = try await BenchRequests.startCommand(owner, bot.jid, node: bot.node)
            figures.sessionsOpened += 1
        }
        let after = bot.probe.memory()
        let opened = Double(max(1, figures.sessionsOpened))
        figures.perSession = MemoryFigures(
            resident: Int(Double(after.resident - before.resident) / opened),
            proportional: Int(Double(after.proportional - before.proportional) / opened),
            privateBytes: Int(Double(after.privateBytes - before.privateBytes) / opened),
            anonymous: Int(Double(after.anonymous - before.anonymous) / opened))
        for _ in 0..<samples / 5 {
            figures.commandWithSessionsOpen.append(try await timed { try await BenchRequests.runCommand(first, bot.jid, node: bot.node) })
        }

        for count in Set([1, min(10, contacts.count), contacts.count]).sorted() {
            let cpu = bot.probe.cpuSeconds()
            let (latencies, elapsed) = try await BenchTarget.concurrentCommands(Array(contacts.prefix(count)), bot.jid, node: bot.node, duration: duration)
            figures.loads.append(ContactLoad(
                contacts: count, latencies: latencies, rate: Double(latencies.count) / elapsed,
                cpuPerCommand: (bot.probe.cpuSeconds() - cpu) / Double(max(1, latencies.count))))
        }
        return figures
    }

    func report(_ figures: Figures) -> String {
        let extra = figures.idle.proportional - reference.proportional
        let extraAnonymous = figures.idle.anonymous - reference.anonymous
        var table = TextTable(header: ["Scale (adhocd)", "Measured", "Target"])
        table.rows = [
            ["commands registered (commands.d files)", "\(registered)", "10,000"],
            ["start to online with them", Report.millis(figures.startToOnline), ""],
            ["PSS idle with them / without", "\(Report.megabytes(figures.idle.proportional)) / \(Report.megabytes(reference.proportional))", "linear"],
            ["memory per registered command (PSS; anonymous)",
             "\(bytes(Double(extra) / Double(registered))); \(bytes(Double(extraAnonymous) / Double(registered)))", "stated"],
            ["disco#items for a contact allowed one of them, p50 / p99",
             "\(Report.millis(figures.contactListing.p50)) / \(Report.millis(figures.contactListing.p99)) (\(figures.contactListed) items)", "< 5 ms"],
            ["disco#items for the contact allowed all, p50 / p99",
             "\(Report.millis(figures.listing.p50)) / \(Report.millis(figures.listing.p99)) (\(figures.listed) items: the reply budget's 128 KiB)", ""],
            ["echo among them, 1 contact, p50 / p99", "\(Report.millis(figures.commandAmongMany.p50)) / \(Report.millis(figures.commandAmongMany.p99))", ""],
            ["sessions left open", "\(figures.sessionsOpened)", "1,000"],
            ["memory per open session (PSS; anonymous)", "\(bytes(Double(figures.perSession.proportional))); \(bytes(Double(figures.perSession.anonymous)))", ""],
            ["echo with them open, p50 / p99", "\(Report.millis(figures.commandWithSessionsOpen.p50)) / \(Report.millis(figures.commandWithSessionsOpen.p99))", ""],
        ]
        let single = figures.loads.first
        for load in figures.loads {
            let growth = single.map { load.latencies.p50 / $0.latencies.p50 } ?? .nan
            table.rows.append([
                "\(load.contacts) contacts at once: p50 / p99, commands/s, CPU/command",
                "\(Report.millis(load.latencies.p50)) / \(Report.millis(load.latencies.p99)), \(Int(load.rate)), \(Report.micros(load.cpuPerCommand))",
                load.contacts == 1 ? "" : "p50 \(Report.times(growth)) of 1 contact; no cliff",
            ])
        }
        return table.render()
    }

    private func bytes(_ value: Double) -> String {
        abs(value) >= 10_240 ? Report.decimal(value / 1024, places: 1) + " KiB" : "\(Int(value.rounded())) B"
    }
}
