/// The tables of a TOML document as they are built, and TOML 1.0's rules about which of them
/// may still be added to (the model Python's tomllib uses; the differential test holds the
/// reader to it):
/// - a table opened by a `[header]`, or by dotted keys in an earlier section, cannot be opened
///   by a header again, nor a header's table by dotted keys;
/// - a value written as an inline table or an array is closed: no key, header or `[[…]]`
///   adds to it or to anything inside it;
/// - `[[name]]` appends a fresh table to the array `name`, and what is written under `name`
///   from then on goes into that table, whose sub-tables may be defined again.
struct TOMLTree {
    /// A rule broken; the parser adds the position.
    struct Conflict: Swift.Error {
        var message: String
    }

    private(set) var root: [String: ConfigValue] = [:]
    private var marks = Marks()
    /// Tables dotted keys go through in the current section: defined once the next header starts.
    private var pendingDefinitions: [[String]] = []
    /// Inline tables are trees of their own in which a key never enters an array of tables.
    private let entersArraysOfTables: Bool

    init(entersArraysOfTables: Bool = true) {
        self.entersArraysOfTables = entersArraysOfTables
    }

    /// `[path]`.
    mutating func openTable(_ path: [String]) throws(Conflict) {
        finishSection()
        if marks.isClosed(path[...]) { throw Conflict(message: "[\(Self.name(path))] cannot add to a table written inline or an array, which are complete as written") }
        if marks.isDefined(path[...]) { throw Conflict(message: "table [\(Self.name(path))] is defined twice") }
        marks.mark(path[...], defined: true)
        try Self.table(at: path[...], in: &root, entersArrays: entersArraysOfTables) { (_: inout [String: ConfigValue]) throws(Conflict) in }
    }

    /// `[[path]]`.
    mutating func appendArrayTable(_ path: [String]) throws(Conflict) {
        finishSection()
        if marks.isClosed(path[...]) { throw Conflict(message: "[[\(Self.name(path))]] cannot add to an array written as a value, which is complete as written") }
        marks.remove(path[...])
        marks.mark(path[...], defined: true)
        let key = path[path.count - 1]
        try Self.table(at: path.dropLast(), in: &root, entersArrays: entersArraysOfTables) { (table: inout [String: ConfigValue]) throws(Conflict) in
            switch table[key] {
            case nil:
                table[key] = .array([.table([:])])
            case .array(var items):
                items.append(.table([:]))
                table[key] = .array(items)
            case let other?:
                throw Conflict(message: "[[\(Self.name(path))]] conflicts with the earlier \(other.kindName) \(Self.name(path))")
            }
        }
    }

    /// `key = value` in the section `[section]` (empty: the top level, or an inline table).
    mutating func insert(_ value: ConfigValue, key: [String], in section: [String]) throws(Conflict) {
        for length in section.count + 1..<section.count + key.count {
            let table = Array((section + key).prefix(length))
            if marks.isDefined(table[...]) {
                throw Conflict(message: "\(Self.name(section + key)): [\(Self.name(table))] is a table of its own; write its keys under its header")
            }
            pendingDefinitions.append(table)
        }
        let parent = section + key.dropLast()
        if marks.isClosed(parent[...]) {
            throw Conflict(message: "cannot add keys to \(Self.name(parent)), which is written as an inline table or an array and complete as written")
        }
        let stem = key[key.count - 1]
        try Self.table(at: parent[...], in: &root, entersArrays: entersArraysOfTables) { (table: inout [String: ConfigValue]) throws(Conflict) in
            guard table[stem] == nil else { throw Conflict(message: "key '\(Self.name(key))' is defined twice") }
            table[stem] = value
        }
        switch value {
        case .table, .array: marks.mark((section + key)[...], closed: true)
        default: break
        }
    }

    /// Dotted keys of the section just ended now define their tables.
    private mutating func finishSection() {
        for path in pendingDefinitions { marks.mark(path[...], defined: true) }
        pendingDefinitions.removeAll()
    }

    /// Walks to the table at `path`, creating missing tables and entering the newest element
    /// of arrays of tables, and lets `change` edit it.
    private static func table(
        at path: ArraySlice<String>, in table: inout [String: ConfigValue], entersArrays: Bool,
        _ change: (inout [String: ConfigValue]) throws(Conflict) -> Void
    ) throws(Conflict) {
        guard let key = path.first else {
            try change(&table)
            return
        }
        let rest = path.dropFirst()
        switch table.removeValue(forKey: key) {
        case nil:
            var child: [String: ConfigValue] = [:]
            defer { table[key] = .table(child) }
            try Self.table(at: rest, in: &child, entersArrays: entersArrays, change)
        case .table(var child):
            defer { table[key] = .table(child) }
            try Self.table(at: rest, in: &child, entersArrays: entersArrays, change)
        case .array(var items):
            defer { table[key] = .array(items) }
            guard entersArrays, case .table(var child)? = items.last else {
                throw Conflict(message: "'\(key)' is an array, not a table")
            }
            defer { items[items.count - 1] = .table(child) }
            try Self.table(at: rest, in: &child, entersArrays: entersArrays, change)
        case let value?:
            table[key] = value
            throw Conflict(message: "'\(key)' is already a value, not a table")
        }
    }

    private static func name(_ path: [String]) -> String {
        path.joined(separator: ".")
    }
}

/// What the rules remember about each key path.
private struct Marks {
    /// Opened by a header or by dotted keys of an earlier section: no header may open it again.
    var isDefinedHere = false
    /// An inline table or array: nothing may be added to it or below it.
    var isClosedHere = false
    var children: [String: Marks] = [:]

    func isDefined(_ path: ArraySlice<String>) -> Bool {
        guard let key = path.first else { return isDefinedHere }
        return children[key]?.isDefined(path.dropFirst()) ?? false
    }

    func isClosed(_ path: ArraySlice<String>) -> Bool {
        guard let key = path.first else { return false }
        guard let child = children[key] else { return false }
        return child.isClosedHere || child.isClosed(path.dropFirst())
    }

    mutating func mark(_ path: ArraySlice<String>, defined: Bool = false, closed: Bool = false) {
        guard let key = path.first else {
            isDefinedHere = isDefinedHere || defined
            isClosedHere = isClosedHere || closed
            return
        }
        children[key, default: Marks()].mark(path.dropFirst(), defined: defined, closed: closed)
    }

    mutating func remove(_ path: ArraySlice<String>) {
        guard let key = path.first else { return }
        if path.count == 1 {
            children[key] = nil
        } else {
            children[key]?.remove(path.dropFirst())
        }
    }
}
