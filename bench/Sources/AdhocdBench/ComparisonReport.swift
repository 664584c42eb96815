/// adhocd's figures beside the peer's, with the ratio and the targets.
struct ComparisonReport {
    let bot: TargetFigures
    let peer: TargetFigures?
    let peerName: String
    let clients: Int
    let idleSeconds: Int

    private enum Better { case lower, higher }

    /// (command p50 − CPU per command) ÷ two × (ping p50 − CPU per ping).
    static func ratioWithoutBot(_ figures: TargetFigures) -> Double {
        (figures.sequential.p50 - figures.commandCPU) / (2 * (figures.pings.p50 - figures.pingCPU))
    }

    func render() -> String {
        var table = TextTable(header: ["Measure", "adhocd"] + (peer.map { _ in [peerName, "\(peerName) ÷ adhocd"] } ?? []) + ["Target", "Met"])
        func row(_ label: String, _ value: (TargetFigures) -> Double, _ format: (Double) -> String,
                 target: String = "", met: ((Double, Double?) -> Bool)? = nil) {
            let mine = value(bot)
            let theirs = peer.map(value)
            var cells = [label, format(mine)]
            if let theirs { cells += [format(theirs), Report.times(theirs / mine)] }
            cells.append(target)
            cells.append(met.map { $0(mine, theirs) ? "yes" : "no" } ?? "")
            table.rows.append(cells)
        }
        let megabytes = { (value: Double) in Report.megabytes(Int(value)) }
        row("start to online (spawn → answers a ping)", \.startToOnline, Report.millis, target: "≤ 100 ms", met: { mine, _ in mine <= 0.100 })
        row("wake-ups in \(idleSeconds) s idle (context switches)", { Double($0.idleWakeups) }, { "\(Int($0))" },
            target: "0 (keepalive off)", met: { mine, _ in mine == 0 })
        row("RSS idle", { Double($0.idle.resident) }, megabytes)
        row("PSS idle", { Double($0.idle.proportional) }, megabytes, target: "≤ 12 MB (11.4 MiB)", met: { mine, _ in mine <= 12e6 })
        row("private idle (clean + dirty)", { Double($0.idle.privateBytes) }, megabytes)
        row("anonymous idle (heap, stacks)", { Double($0.idle.anonymous) }, megabytes)
        row("ping round trip p50", { $0.pings.p50 }, Report.micros)
        row("CPU per XEP-0199 ping", \.pingCPU, Report.micros, target: "≤ 35 µs", met: { mine, _ in mine <= 35e-6 })
        row("  of it in the kernel (system time)", \.pingSystemCPU, Report.micros)
        row("command p50 / p99, 1 connection", { $0.sequential.p50 }, Report.micros)
        row("  p99", { $0.sequential.p99 }, Report.micros)
        row("command p50 ÷ two ping round trips", { $0.sequential.p50 / (2 * $0.pings.p50) }, { Report.decimal($0, places: 2) },
            target: "≤ 1.10", met: { mine, _ in mine <= 1.10 })
        // The bot's own CPU lies on each sequential request's path: without it what remains is
        // the client's and the server's share, the same for any bot (larger stanzas: forms).
        row("  the same without the bot's CPU (estimate)", Self.ratioWithoutBot, { Report.decimal($0, places: 2) })
        row("CPU per two-stage command, 1 connection", \.commandCPU, Report.micros, target: "≤ 100 µs; peer ≥ 10×",
            met: { mine, theirs in mine <= 100e-6 && (theirs.map { $0 / mine >= 10 } ?? true) })
        row("  of it in the kernel (system time)", \.commandSystemCPU, Report.micros)
        row("command p50, \(clients) connections", { $0.loaded.p50 }, Report.micros)
        row("command p99, \(clients) connections", { $0.loaded.p99 }, Report.micros)
        row("commands per second, \(clients) connections", \.loadedRate, { "\(Int($0))" })
        row("CPU per command, \(clients) connections", \.loadedCPU, Report.micros)
        row("RSS under load (peak)", { Double($0.peakResident) }, megabytes)
        row("PSS idle after the load", { Double($0.afterLoad.proportional) }, megabytes)
        return table.render()
    }

    /// Beside the p50 of a sequential request, the CPU each process on its path spends per
    /// request (kernel included). Not all of it is on the path: the server also routes the acks
    /// of both streams, and CPU is a mean where latency is a median, so they do not add up.
    func pathBreakdown() -> String {
        var lines = ["Sequential requests: p50, and CPU per request of each process on the path (kernel included; not all on the path):"]
        for (name, figures) in [("adhocd", bot)] + (peer.map { [(peerName, $0)] } ?? []) {
            for (request, latency, bot, server, client) in [
                ("ping", figures.pings.p50, figures.pingCPU, figures.pingServerCPU, figures.pingClientCPU),
                ("command", figures.sequential.p50, figures.commandCPU, figures.commandServerCPU, figures.commandClientCPU),
            ] {
                lines.append("  \(name), \(request): p50 \(Report.micros(latency)); CPU: bot \(Report.micros(bot)), "
                    + "server \(Report.micros(server)), client \(Report.micros(client))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
