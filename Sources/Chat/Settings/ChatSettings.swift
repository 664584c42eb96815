import Commands
import TOMLConfig

/// `[chat]`: the chat front end, for clients without a command UI.
public struct ChatSettings: Sendable, Equatable {
    /// Off: messages get no answer at all, as before the chat front end existed.
    public var enabled = true
    /// One-word shortcuts for a command line: `pause` → `mpris/remote action=play-pause`.
    public var aliases: [ChatAlias] = []
    /// A line delivered later than this (offline storage, a replay) is never run.
    public var staleAfter: Double = 120
    /// Who may chat at all; nil: whoever some command's rules admit.
    public var allow: [AccessRule]?
    /// Never answered, whatever else admits them.
    public var deny: [AccessRule] = []
    /// Lines a contact may send at once, then one per `rateInterval` seconds.
    public var rateBurst = 10
    public var rateInterval: Double = 1

    public init() {}

    /// Words that mean something in every conversation; an alias may not take them.
    public static let reservedWords: Set<String> = ["help", "?", "commands", "cancel", "back", "done"]

    /// The alias of that name (case-insensitive), if any.
    public func alias(_ word: String) -> ChatAlias? {
        let name = word.lowercased()
        return aliases.first { $0.name == name }
    }

    public static func read(_ section: inout ConfigSection) throws(ConfigurationError) -> ChatSettings {
        var settings = ChatSettings()
        settings.enabled = try section.read(ChatKeys.enabled)
        settings.staleAfter = try section.read(ChatKeys.staleAfter)
        settings.rateBurst = try section.read(ChatKeys.rateBurst)
        settings.rateInterval = try section.read(ChatKeys.rateInterval)
        if let rules = try section.read(ChatKeys.allow) { settings.allow = try Self.rules(rules, key: ChatKeys.allow.name, in: section) }
        settings.deny = try Self.rules(try section.read(ChatKeys.deny), key: ChatKeys.deny.name, in: section)
        if var table = try section.read(ChatKeys.aliases) {
            for name in table.values.keys.sorted() {
                let target: String?
                do {
                    target = try table.read(name, as: .string)
                } catch {
                    throw table.error(name, "expected a command line as a string, such as \"mpris/remote action=play-pause\"")
                }
                guard let target else { continue }
                do {
                    settings.aliases.append(try ChatAlias(name: name, target: target))
                } catch {
                    throw table.error(name, error.description)
                }
            }
            try table.rejectUnknownKeys()
        }
        return settings
    }

    private static func rules(_ texts: [String], key: String, in section: ConfigSection) throws(ConfigurationError) -> [AccessRule] {
        var rules: [AccessRule] = []
        for text in texts {
            do {
                rules.append(try AccessRule(parsing: text))
            } catch {
                throw section.error(key, error.description)
            }
        }
        return rules
    }
}

/// A one-word shortcut for a command line.
public struct ChatAlias: Sendable, Equatable {
    /// Lowercased; matched case-insensitively.
    public let name: String
    /// What the alias stands for: a node, then values as typed after it.
    public let target: TypedLine

    public init(name: String, target: String) throws(ChatAliasError) {
        guard !name.isEmpty, !name.contains(where: \.isWhitespace) else { throw .notOneWord(name) }
        guard !ChatSettings.reservedWords.contains(name.lowercased()) else { throw .reserved(name) }
        guard let line = TypedLine(target) else { throw .emptyTarget }
        do {
            _ = try line.arguments()
        } catch {
            throw .unreadableTarget(error)
        }
        self.name = name.lowercased()
        self.target = line
    }

    /// The target with what was typed after the alias appended.
    public func expanded(with rest: String) -> TypedLine {
        TypedLine(head: target.head, rest: [target.rest, rest].filter { !$0.isEmpty }.joined(separator: " "))
    }

    public var targetText: String { target.rest.isEmpty ? target.head : "\(target.head) \(target.rest)" }
}

public enum ChatAliasError: Error, Sendable, Equatable, CustomStringConvertible {
    case notOneWord(String)
    case reserved(String)
    case emptyTarget
    case unreadableTarget(TypedLineError)

    public var description: String {
        switch self {
        case .notOneWord(let name): "'\(name)' is not one word: an alias is typed as the first word of a line"
        case .reserved(let name): "'\(name)' already means something in every conversation (help, ?, commands, cancel, back, done)"
        case .emptyTarget: "names no command: write the node, then any values (\"mpris/remote action=play-pause\")"
        case .unreadableTarget(let error): "cannot be read: \(error)"
        }
    }
}
