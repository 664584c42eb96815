import XMPPCore

/// Lists of commands as chat messages: `help`, and "did you mean" for an ambiguous word.
public struct HelpText: Sendable {
    public var budget: Int

    public init(budget: Int = OutcomeText.standard.budget) {
        self.budget = budget
    }

    /// The commands this contact may run, numbered, each with its node and (for clients that
    /// open them) its `xmpp:` link; the aliases that lead to them; what works in a dialogue.
    /// `footer` ends the list (a room says there how to address the bot).
    public func help(_ commands: [CommandResolver.Entry], aliases: [ChatAlias], bot: JID?, footer: String? = nil) -> String {
        guard !commands.isEmpty else { return "There are no commands you may run here." }
        var lines = ["Commands you may run (type the number, the name or the node):"]
        let closing = closingLines(aliases: aliases) + (footer.map { [$0] } ?? [])
        func more(_ hidden: Int) -> String {
            var text = "… \(hidden) more: type a name to find one"
            if let bot { text += ", or open the list in a client with command support: " + XMPPURI.commandList(at: bot) }
            return text
        }
        // Room kept for the closing lines and a "more" line, whatever its count.
        var used = (lines + closing + [more(commands.count)]).joined(separator: "\n").utf8.count
        for (index, command) in commands.enumerated() {
            var entry = "\(index + 1). " + (command.name == command.node ? command.node : "\(command.name) · \(command.node)")
            if let bot { entry += "\n   " + XMPPURI.command(node: command.node, at: bot) }
            guard used + entry.utf8.count + 1 <= budget else {
                lines.append(more(commands.count - index))
                break
            }
            used += entry.utf8.count + 1
            lines.append(entry)
        }
        return (lines + closing).joined(separator: "\n")
    }

    private func closingLines(aliases: [ChatAlias]) -> [String] {
        var lines: [String] = []
        if !aliases.isEmpty {
            lines.append("Shortcuts: " + aliases.map { "\($0.name) (\($0.targetText.abbreviated(to: 60)))" }.joined(separator: ", "))
        }
        lines.append("In a command: back, cancel, help.")
        return lines
    }

    /// Several commands fit a word: numbered, so the contact can pick one.
    public func choices(_ word: String, _ commands: [CommandResolver.Entry]) -> String {
        var lines = ["'\(word.abbreviated(to: 40))' could be several commands; type a number or more of the name:"]
        for (index, command) in commands.enumerated() {
            lines.append("\(index + 1). " + (command.name == command.node ? command.node : "\(command.name) · \(command.node)"))
        }
        return OutcomeText(budget: budget).cut(lines.joined(separator: "\n"))
    }
}
