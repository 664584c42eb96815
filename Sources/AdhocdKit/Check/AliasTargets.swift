import CommandFiles
import DBusBridge
import TOMLConfig

/// Whether the node a chat alias names exists, judged without connecting: from the
/// configuration (built-ins, the nodes of the D-Bus presets) and the definitions in commands.d.
/// A plain `[[dbus]]` block makes its nodes from introspecting its service while that runs, so
/// a node such a block may make is "live", never "missing".
struct AliasTargets: Sendable {
    /// Enabled built-ins, the presets' nodes, the definitions commands.d loads.
    var offered: Set<String>
    /// Built-ins the configuration turns off.
    var disabledBuiltins: Set<String>
    /// Files in commands.d skipped for an error, by the node each would define.
    var skippedFiles: [String: String]
    var dbus: [DBusBlock]

    enum Verdict: Sendable, Equatable {
        case offered
        /// Block `blockIndex` (from 0) may make it while the service runs; only then can it be told.
        case live(blockIndex: Int, node: DBusCommandNode)
        case missing(Missing)
    }

    enum Missing: Sendable, Equatable {
        /// No command has it; `suggestion` is an offered node it is probably a misspelling of.
        case unknown(suggestion: String?)
        case disabledBuiltin
        /// The file in commands.d that would define it is skipped for an error.
        case skippedFile(String)
        /// A D-Bus node of a service no plain block introspects; `suggestion` is a configured
        /// service it is probably a misspelling of.
        case unconfiguredService(String, suggestion: String?)
        /// These blocks (from 0) introspect the service, but their lists leave the member out.
        case notExposed(blockIndices: [Int])
    }

    func verdict(for node: String) -> Verdict {
        if offered.contains(node) { return .offered }
        if disabledBuiltins.contains(node) { return .missing(.disabledBuiltin) }
        if let file = skippedFiles[node] { return .missing(.skippedFile(file)) }
        guard let member = DBusCommandNode(parsing: node) else { return .missing(.unknown(suggestion: suggestion(for: node))) }
        let introspected = dbus.indices.filter { dbus[$0].preset == .none }
        let serving = introspected.filter { dbus[$0].service.matches(member.service) }
        if let index = serving.first(where: { dbus[$0].mayOffer(member) }) { return .live(blockIndex: index, node: member) }
        guard serving.isEmpty else { return .missing(.notExposed(blockIndices: serving)) }
        let services = introspected.map { dbus[$0].service }.filter { !$0.hasWildcards }.map(\.pattern)
        return .missing(.unconfiguredService(member.service, suggestion: closestMatch(to: member.service, among: services)))
    }

    /// The offered node `node` probably stands for: a few edits away (`mpris/remot`), else the
    /// only one that ends in it (`remote` for `mpris/remote`).
    func suggestion(for node: String) -> String? {
        let known = offered.sorted()
        if let near = closestMatch(to: node, among: known) { return near }
        let endings = known.filter { $0.hasSuffix("/" + node) }
        return endings.count == 1 ? endings.first : nil
    }
}

extension AliasTargets {
    /// What the daemon would offer with `configuration`, commands.d being as `commandFiles` found it.
    init(configuration: DaemonConfiguration, commandFiles: LoadReport) {
        let builtins = BuiltinCommandSet.inert.commands(for: configuration).map(\.node)
        let presets = DBusBridge.plannedCommands(for: configuration.dbus).compactMap(\.node)
        // A problem with the directory itself defines no node.
        let skipped = commandFiles.problems.filter { $0.file != commandFiles.directory }.map { (CommandDirectory.node(ofFile: $0.file), $0.file) }
        self.init(
            offered: Set(builtins + presets + commandFiles.definitions.map(\.node)),
            disabledBuiltins: Set(DaemonConfiguration.builtinNames).subtracting(builtins),
            skippedFiles: Dictionary(skipped, uniquingKeysWith: { first, _ in first }),
            dbus: configuration.dbus)
    }
}
