import XMPPCore

/// Who a line in the room is for: `NICK: command` (or `NICK, command`) for one bot,
/// `all: command` or `*: command` for every bot; anything else for nobody here.
public enum RoomAddressing: Sendable, Equatable {
    /// For this bot alone, with the command line.
    case me(String)
    /// For every bot in the room, with the command line.
    case everyone(String)
    /// Not addressed to this bot: ignored without a word.
    case other

    static let everyoneNames = ["all", "*"]

    /// Reads the address at the start of `body`; `nick` is this bot's nick in the room now,
    /// `occupants` the nicks in the room. Names compare case-insensitively; spaces may stand
    /// around the separator. A bare address with nothing after it asks for `help`. Nicks may
    /// hold `:` and `,`: a line that names a longer nick in the room (`db:1: status`) is for
    /// that occupant, not for `db`.
    public static func parse(_ body: String, nick: String, occupants: some Collection<String> = [String]()) -> RoomAddressing {
        let text = Substring(body).drop(while: \.isWhitespace)
        if let rest = command(after: nick, in: text) {
            let forLongerNick = occupants.contains { $0.count > nick.count && command(after: $0, in: text) != nil }
            return forLongerNick ? .other : .me(rest)
        }
        for name in everyoneNames {
            if let rest = command(after: name, in: text) { return .everyone(rest) }
        }
        return .other
    }

    /// The command line after `name` and a separator, or nil when `text` does not start so.
    private static func command(after name: String, in text: Substring) -> String? {
        guard !name.isEmpty, text.count > name.count else { return nil }
        let head = text.prefix(name.count)
        guard head.lowercased() == name.lowercased() else { return nil }
        let afterName = text.dropFirst(name.count).drop(while: { $0 == " " || $0 == "\t" })
        guard let separator = afterName.first, separator == ":" || separator == "," else { return nil }
        let rest = String(afterName.dropFirst()).trimmingWhitespace()
        return rest.isEmpty ? "help" : rest
    }
}
