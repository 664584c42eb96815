import Chat
import CommandFiles
import TOMLConfig

/// What `adhocd check` and the daemon's start-up say about one chat alias.
struct AliasFinding: Sendable, Equatable {
    /// A warning for a node no command has (the daemon runs; the alias runs nothing), a note
    /// for a node only the live D-Bus service can confirm.
    var severity: ConfigurationProblem.Severity
    /// Follows the alias's name: "names 'x', an unknown node …".
    var problem: String
    var fix: String
}

extension AliasTargets {
    /// Nil when the alias's node is offered.
    func finding(for alias: ChatAlias) -> AliasFinding? {
        let node = alias.target.head
        switch verdict(for: node) {
        case .offered:
            return nil
        case .live(let index, let member):
            let bus = dbus[index].bus
            return AliasFinding(
                severity: .note,
                problem: "names '\(node)', which dbus[\(index + 1)] makes from \(member.service) (\(bus)) only while that runs: it cannot be verified offline",
                fix: "adhocd dbus introspect --bus \(bus.configValue) \(member.service) lists its nodes while it runs")
        case .missing(let missing):
            let (what, fix) = explanation(of: missing, node: node)
            return AliasFinding(severity: .warning, problem: "names '\(node)', \(what); typing \(alias.name) runs nothing", fix: fix)
        }
    }

    private func explanation(of missing: Missing, node: String) -> (what: String, fix: String) {
        switch missing {
        case .unknown(let suggestion?):
            return ("an unknown node (did you mean '\(suggestion)'?)", "write '\(suggestion)', or remove the alias")
        case .unknown(nil):
            return ("an unknown node", "correct the node or remove the alias; adhocd commands lists the nodes")
        case .disabledBuiltin:
            return ("a built-in command that is disabled", "enable it ([commands.\(node)] enabled = true), or remove the alias")
        case .skippedFile(let file):
            return ("which \(file) would define, but adhocd skips that file for an error", "fix the file (adhocd check lists its error), or remove the alias")
        case .unconfiguredService(let service, let suggestion?):
            return ("a node of \(service), which no [[dbus]] block introspects (did you mean \(suggestion)?)", "write \(suggestion) in the node, or remove the alias")
        case .unconfiguredService(let service, nil):
            return (
                "a node of \(service), which no [[dbus]] block introspects",
                "add a [[dbus]] block with service = \"\(service)\" and the methods or properties to offer, or correct the node")
        case .notExposed(let indices):
            let blocks = indices.map { "dbus[\($0 + 1)]" }.joined(separator: " and ")
            return (
                "which \(blocks) \(indices.count == 1 ? "does" : "do") not offer: \(indices.count == 1 ? "its" : "their") paths, interfaces, methods or properties leave it out",
                "correct the node, or add the member to the block's lists; adhocd dbus introspect lists the service's nodes")
        }
    }

    /// Each alias of `configuration` with what is wrong with it; none while chat is off.
    static func findings(_ configuration: DaemonConfiguration, commandFiles: @autoclosure () -> LoadReport) -> [(alias: ChatAlias, finding: AliasFinding)] {
        guard configuration.chat.enabled, !configuration.chat.aliases.isEmpty else { return [] }
        let targets = AliasTargets(configuration: configuration, commandFiles: commandFiles())
        return configuration.chat.aliases.compactMap { alias in targets.finding(for: alias).map { (alias, $0) } }
    }
}

extension ConfigurationCheck.Source {
    /// Chat aliases whose node no command has: a warning, as for the other mistakes that leave
    /// adhocd running but not as meant. commands.d is read for its nodes, not checked.
    public static let chatAliases = Self(name: "chat aliases") { configuration, lines in
        AliasTargets.findings(configuration, commandFiles: configuration.commandDirectory.load()).map { alias, finding in
            // The key as the file spells it (any case); an inline table's line otherwise.
            let key = lines.keys(in: "chat.aliases").first { $0.lowercased() == alias.name }.map { "chat.aliases.\($0)" } ?? "chat.aliases"
            return ConfigurationProblem(
                severity: finding.severity, file: configuration.file, line: lines.line(for: key),
                problem: "chat.aliases.\(alias.name): \(finding.problem)", fix: finding.fix)
        }
    }
}
