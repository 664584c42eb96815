/// A part of the daemon that follows the configuration: built-in commands, presence, the D-Bus
/// bridge, the health monitor, commands.d. A reload hands each part the new configuration in
/// turn, one reload at a time (`ReloadQueue`).
protocol ConfigurationFollower: Sendable {
    /// Takes what concerns it from `new`; `old` is what it follows now.
    func apply(_ new: DaemonConfiguration, replacing old: DaemonConfiguration) async -> ConfigurationChange
}

/// What applying a configuration did to one part, for the reload's one-line summary.
enum ConfigurationChange: Sendable, Equatable {
    case unchanged
    /// Applied at once; the phrase names what ("D-Bus blocks").
    case applied(String)
    /// Only a restart can apply it ("session limits").
    case needsRestart(String)
    /// A sentence of its own (commands.d reports what it loaded and skipped).
    case report(String)
}

/// The reload's answer: what changed, what waits for a restart, and each part's own report.
struct ReloadSummary: Sendable {
    var file: String
    var changes: [ConfigurationChange]

    var text: String {
        var applied: [String] = []
        var needsRestart: [String] = []
        var reports: [String] = []
        for change in changes {
            switch change {
            case .unchanged: break
            case .applied(let what): applied.append(what)
            case .needsRestart(let what): needsRestart.append(what)
            case .report(let sentence): reports.append(sentence)
            }
        }
        var summary = "Reloaded \(file): " + (applied.isEmpty ? "nothing changed" : "updated " + applied.joined(separator: " and "))
        if !needsRestart.isEmpty { summary += "; restart adhocd to apply changed " + needsRestart.joined(separator: " and ") }
        for report in reports { summary += "; " + report }
        return summary
    }
}
