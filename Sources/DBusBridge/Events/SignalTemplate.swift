import DBus

/// The text of a signal's chat message: `{arg0}`, `{arg1}`… (the signal's arguments), `{args}`
/// (all of them, comma-separated), `{sender}` (the service's bus name), `{path}`, `{interface}`,
/// `{member}`, `{label}` (the block's). `{{` and `}}` stand for literal braces.
///
/// Parsed once into pieces, so a value that contains `{member}` is shown as is, never expanded.
public struct SignalTemplate: Sendable, Equatable, CustomStringConvertible {
    enum Piece: Sendable, Equatable {
        case text(String)
        case argument(Int)
        case allArguments, sender, path, interface, member, label
    }

    let pieces: [Piece]
    public let source: String

    /// `{label}: {member} {args}`.
    public static let `default` = SignalTemplate(
        pieces: [.label, .text(": "), .member, .text(" "), .allArguments], source: "{label}: {member} {args}")

    /// One value is cut to this many characters, the whole message to `messageLimit`.
    static let valueLimit = 500
    static let messageLimit = 3000
    /// `{arg63}` is the last argument a template may name.
    static let argumentLimit = 64

    private init(pieces: [Piece], source: String) {
        self.pieces = pieces
        self.source = source
    }

    public init(parsing source: String) throws(SignalTemplateError) {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(source)
        while let character = rest.first {
            rest = rest.dropFirst()
            switch character {
            case "{" where rest.first == "{", "}" where rest.first == "}":
                literal.append(character)
                rest = rest.dropFirst()
            case "{":
                guard let close = rest.firstIndex(of: "}") else { throw .unclosed }
                let name = String(rest[..<close])
                guard let piece = Self.piece(named: name) else { throw .unknownPlaceholder(name) }
                if !literal.isEmpty { pieces.append(.text(literal)) }
                literal = ""
                pieces.append(piece)
                rest = rest[rest.index(after: close)...]
            case "}":
                throw .strayBrace
            default:
                literal.append(character)
            }
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        self.pieces = pieces
        self.source = source
    }

    private static func piece(named name: String) -> Piece? {
        switch name {
        case "args": return .allArguments
        case "sender": return .sender
        case "path": return .path
        case "interface": return .interface
        case "member": return .member
        case "label": return .label
        default:
            guard name.hasPrefix("arg"), let index = Int(name.dropFirst(3)), "arg\(index)" == name, index < argumentLimit else { return nil }
            return .argument(index)
        }
    }

    /// The message for one emission. `sender` is the bus name people know the service by.
    /// Arguments the signal does not have read as empty; trailing spaces are dropped.
    public func render(_ signal: DBusSignal, sender: String, label: String) -> String {
        var text = ""
        for piece in pieces {
            switch piece {
            case .text(let literal): text += literal
            case .argument(let index): text += index < signal.arguments.count ? Self.shown(signal.arguments[index]) : ""
            case .allArguments: text += signal.arguments.map(Self.shown).joined(separator: ", ")
            case .sender: text += sender
            case .path: text += signal.path
            case .interface: text += signal.interface
            case .member: text += signal.member
            case .label: text += label
            }
        }
        while text.last?.isWhitespace == true { text.removeLast() }
        return Self.cut(text, to: Self.messageLimit)
    }

    /// A value as result forms show it (`DBusValueText.display`), cut to `valueLimit`.
    static func shown(_ value: DBusValue) -> String {
        cut(DBusValueText.display(value), to: valueLimit)
    }

    static func cut(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    public var description: String { source }
}

public enum SignalTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownPlaceholder(String)
    case unclosed
    case strayBrace

    public var description: String {
        let known = "{arg0}, {arg1}… {args}, {sender}, {path}, {interface}, {member}, {label}"
        switch self {
        case .unknownPlaceholder(let name): return "{\(name.prefix(40))} is not a placeholder; use \(known)"
        case .unclosed: return "has a { without its }; write {{ for a literal brace"
        case .strayBrace: return "has a } without its {; write }} for a literal brace"
        }
    }
}
