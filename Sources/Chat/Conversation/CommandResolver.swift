/// Finds the command the first word of a line names, among those the contact may run.
///
/// Tried from the most to the least exact, the first kind of match that finds anything
/// decides: a number from the last list, the node exactly, the name or node in any case (the
/// whole line may be a name of several words), a prefix of the node or name, then the start of
/// one word of the name or one part of the node ("remote" for "Media remote", `mpris/remote`).
/// Aliases are expanded before this, by the conversation.
public enum CommandResolver {
    /// What a list shows of a command: enough to find it by.
    public struct Entry: Sendable, Equatable {
        public var node: String
        public var name: String

        public init(node: String, name: String) {
            self.node = node
            self.name = name
        }
    }

    public enum Resolution: Sendable, Equatable {
        /// The command, and what of the line is left for its values.
        case command(node: String, rest: String)
        /// Several commands fit alike.
        case ambiguous([Entry])
        case unknown
        /// A number, but no list was shown that it could belong to, or not that long.
        case noSuchNumber(Int?)
    }

    /// `numbering`: the nodes of the last list of commands shown, by number from 1.
    public static func resolve(_ line: TypedLine, among commands: [Entry], numbering: [String]?) -> Resolution {
        let head = line.head
        if head.allSatisfy({ ("0"..."9").contains($0) }) {
            guard let numbering, let number = Int(head), number >= 1, number <= numbering.count else {
                return .noSuchNumber(Int(head))
            }
            return .command(node: numbering[number - 1], rest: line.rest)
        }
        if commands.contains(where: { $0.node == head }) { return .command(node: head, rest: line.rest) }

        let word = head.lowercased()
        let whole = (line.rest.isEmpty ? head : "\(head) \(line.rest)").lowercased()
        if let named = unique(commands.filter { $0.name.lowercased() == whole }) { return .command(node: named.node, rest: "") }
        // Shortened forms need a few letters: a stray "a" or "s" runs nothing.
        let levels: [(Entry) -> Bool] = [
            { $0.node.lowercased() == word || $0.name.lowercased() == word },
            { word.count >= 2 && ($0.node.lowercased().hasPrefix(word) || $0.name.lowercased().hasPrefix(word)) },
            { entry in word.count >= 3 && (words(of: entry.name) + parts(of: entry.node)).contains { $0.hasPrefix(word) } },
        ]
        for level in levels {
            let found = distinct(commands.filter(level))
            if found.count == 1 { return .command(node: found[0].node, rest: line.rest) }
            if found.count > 1 {
                // "disk us" tells "Disk usage" from "Disk check".
                if let narrowed = unique(found.filter { $0.name.lowercased().hasPrefix(whole) }) { return .command(node: narrowed.node, rest: "") }
                return .ambiguous(found)
            }
        }
        return .unknown
    }

    private static func unique(_ entries: [Entry]) -> Entry? {
        let found = distinct(entries)
        return found.count == 1 ? found[0] : nil
    }

    private static func distinct(_ entries: [Entry]) -> [Entry] {
        var seen = Set<String>()
        return entries.filter { seen.insert($0.node).inserted }
    }

    /// Lowercased runs of letters and digits: "Living room: Pause" → living, room, pause.
    static func words(of text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    /// The parts of a node between `/`, `.` and `-`: `mpris/remote` → mpris, remote.
    static func parts(of node: String) -> [String] {
        node.lowercased().split { $0 == "/" || $0 == "." || $0 == "-" || $0 == "_" }.map(String.init)
    }
}
