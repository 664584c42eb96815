/// One key of a configuration table, declared once: its name, type and range, what it reads as
/// when absent, and its line in the reference. Readers take the key (`section.read(Keys.port)`),
/// so type and range come from here; `adhocd check` suggests names from the table's keys; `make
/// docs` writes the reference from the same declarations.
///
/// `Value` is what reading gives: `Int` for a key with a default or a required one, `Int?` for
/// an optional key without a fixed default.
public struct ConfigKey<Value: Sendable>: Sendable, DocumentedKey {
    public let name: String
    public let type: ConfigType<Value>
    /// What an absent key reads as; nil for a required key.
    let absent: Value?
    /// The default as the reference shows it, in Markdown.
    public let defaultText: String
    /// What the key does, in Markdown (`code`, *emphasis*, [links](…)); one paragraph.
    public let summary: String

    /// A key that reads as `default` when the file leaves it out.
    public init(_ name: String, _ type: ConfigType<Value>, default: Value, _ summary: String) {
        self.init(name, type, absent: `default`, defaultText: type.written(`default`), summary)
    }

    /// A key with a default that the reference says in words ("`["self"]`", "the node").
    public init(_ name: String, _ type: ConfigType<Value>, default: Value, documented defaultText: String, _ summary: String) {
        self.init(name, type, absent: `default`, defaultText: defaultText, summary)
    }

    /// A key the file must give.
    public static func required(_ name: String, _ type: ConfigType<Value>, _ summary: String) -> ConfigKey {
        ConfigKey(name, type, absent: nil, defaultText: "required", summary)
    }

    /// A key that reads as nil when left out; `defaultText` says what happens then.
    public init<Wrapped>(_ name: String, _ type: ConfigType<Wrapped>, documented defaultText: String = "none", _ summary: String)
    where Value == Wrapped? {
        let optional = ConfigType<Wrapped?>(summary: type.summary, written: { $0.map(type.written) ?? defaultText }) {
            (value, place) throws(ValueProblem) in try type.decode(value, place)
        }
        self.init(name, optional, absent: .some(nil), defaultText: defaultText, summary)
    }

    private init(_ name: String, _ type: ConfigType<Value>, absent: Value?, defaultText: String, _ summary: String) {
        self.name = name
        self.type = type
        self.absent = absent
        self.defaultText = defaultText
        self.summary = summary
    }

    public var rows: [KeyRow] {
        [KeyRow(names: [name], type: type.summary, defaultText: defaultText, summary: summary)]
    }
}

/// What a table lists: one key, or keys documented together.
public protocol DocumentedKey: Sendable {
    /// The key's names, for the table's vocabulary.
    var names: [String] { get }
    /// Its lines in the reference.
    var rows: [KeyRow] { get }
}

extension DocumentedKey {
    public var names: [String] { rows.flatMap(\.names) }
}

/// One line of a reference table: a key, or keys documented together (`load_warning`,
/// `load_critical`). All fields are Markdown.
public struct KeyRow: Sendable, Equatable, DocumentedKey {
    public var names: [String]
    public var type: String
    public var defaultText: String
    public var summary: String

    public init(names: [String], type: String, defaultText: String, summary: String) {
        self.names = names
        self.type = type
        self.defaultText = defaultText
        self.summary = summary
    }

    /// Keys of one type documented as one row: their defaults joined in order.
    public init<Value>(together keys: [ConfigKey<Value>], _ summary: String) {
        self.init(
            names: keys.map(\.name), type: keys.first?.type.summary ?? "", defaultText: keys.map(\.defaultText).joined(separator: ", "),
            summary: summary)
    }

    public var rows: [KeyRow] { [self] }
}
