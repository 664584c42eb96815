/// Who gets messages the bot sends on its own (health alerts, D-Bus events): one account, or
/// every member of a roster group of the bot.
public enum AlertRecipient: Sendable, Hashable, CustomStringConvertible {
    case account(JID)
    case group(String)

    /// Reads `jid:user@host` or `group:NAME`, the syntax of command rules.
    public init(parsing text: String) throws(AlertRecipientError) {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("group:") {
            let name = String(trimmed.dropFirst("group:".count))
            guard !name.isEmpty else { throw .emptyGroup(text) }
            self = .group(name)
        } else if trimmed.hasPrefix("jid:") {
            guard let jid = try? JID(String(trimmed.dropFirst("jid:".count))), jid.localpart != nil, jid.isBare else {
                throw .invalidJID(text)
            }
            self = .account(jid)
        } else {
            throw .unknownForm(text)
        }
    }

    public var description: String {
        switch self {
        case .account(let jid): "jid:\(jid)"
        case .group(let name): "group:\(name)"
        }
    }
}

public enum AlertRecipientError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownForm(String)
    case emptyGroup(String)
    case invalidJID(String)

    public var description: String {
        switch self {
        case .unknownForm(let text): "'\(text)' is not a recipient: write jid:user@host or group:NAME"
        case .emptyGroup(let text): "'\(text)' names no group"
        case .invalidJID(let text): "'\(text)' is not an account's bare JID (user@host)"
        }
    }
}
