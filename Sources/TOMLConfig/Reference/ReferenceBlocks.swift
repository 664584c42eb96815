/// The generated parts of hand-written reference files: between two marker comments, the keys
/// of one declared table, as a Markdown table or as man page paragraphs. Everything outside the
/// markers stays as written; `make docs` rewrites what is inside.
///
/// ```
/// <!-- keys of adhocd.toml [account]: written by make docs from the declarations in the code -->
/// | Key | Type | Default | Meaning |
/// …
/// <!-- end of generated keys -->
/// ```
///
/// In a man page the markers are roff comments: `.\" keys of adhocd.toml [account]: …`.
public struct ReferenceBlocks: Sendable {
    public let documents: [ReferenceDocument]

    public init(_ documents: [ReferenceDocument]) {
        self.documents = documents
    }

    /// `text` with every block rewritten from the declarations. Each file must hold a block for
    /// every table of each document it shows any table of: a table declared in the code but
    /// missing from its reference is an error, not a silent gap.
    public func update(_ text: String, format: ReferenceFormat) throws(ReferenceError) -> String {
        var output: [Substring] = []
        var shown: [String: Set<String>] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            output.append(line)
            guard let (documentName, title) = format.blockStart(line) else { continue }
            guard let document = documents.first(where: { $0.name == documentName }) else {
                throw .unknownDocument(documentName, known: documents.map(\.name))
            }
            guard let table = document.tables.first(where: { $0.title == title }) else {
                throw .unknownTable(title, document: documentName, known: document.tables.map(\.title))
            }
            guard shown[documentName, default: []].insert(title).inserted else { throw .repeated(title, document: documentName) }
            guard let end = lines.firstIndex(where: format.isBlockEnd) else { throw .unterminated(title, document: documentName) }
            lines = lines[end...]
            let block = format == .markdown ? MarkdownReference.table(table) : RoffReference.list(table)
            output += block.split(separator: "\n", omittingEmptySubsequences: false)
        }
        for (name, titles) in shown.sorted(by: { $0.key < $1.key }) {
            let declared = documents.first { $0.name == name }?.tables.map(\.title) ?? []
            if let missing = declared.first(where: { !titles.contains($0) }) {
                throw .missing(missing, document: name, markers: format.markers(document: name, title: missing))
            }
        }
        return output.joined(separator: "\n")
    }
}

/// The tables of one configuration file format, in reference order.
public struct ReferenceDocument: Sendable {
    /// `adhocd.toml`, `commands.d`: the name the markers use.
    public let name: String
    public let tables: [ConfigTable]

    public init(_ name: String, tables: [ConfigTable]) {
        self.name = name
        self.tables = tables
    }
}

public enum ReferenceFormat: Sendable, Equatable {
    case markdown
    case roff

    /// Markdown for `.md` files, roff for the rest (man pages).
    public init(file: String) {
        self = file.hasSuffix(".md") ? .markdown : .roff
    }

    private var commentStart: String { self == .markdown ? "<!-- " : ".\\\" " }
    private var commentEnd: String { self == .markdown ? " -->" : "" }
    private static let startWords = "keys of "
    private static let startNote = ": written by make docs from the declarations in the code"
    private static let endWords = "end of generated keys"

    /// The document and table a start marker names.
    func blockStart(_ line: Substring) -> (document: String, title: String)? {
        let prefix = commentStart + Self.startWords
        guard line.hasPrefix(prefix), let colon = line.firstIndex(of: ":") else { return nil }
        let named = line[line.index(line.startIndex, offsetBy: prefix.count)..<colon]
        guard let space = named.firstIndex(of: " ") else { return nil }
        return (String(named[..<space]), String(named[named.index(after: space)...]))
    }

    func isBlockEnd(_ line: Substring) -> Bool {
        line == commentStart + Self.endWords + commentEnd
    }

    /// The two marker lines for a table's block.
    public func markers(document: String, title: String) -> [String] {
        [commentStart + Self.startWords + "\(document) \(title)" + Self.startNote + commentEnd, commentStart + Self.endWords + commentEnd]
    }
}

public enum ReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownDocument(String, known: [String])
    case unknownTable(String, document: String, known: [String])
    case repeated(String, document: String)
    case unterminated(String, document: String)
    /// A declared table without a block; `markers` are the lines to add where it goes.
    case missing(String, document: String, markers: [String])

    public var description: String {
        switch self {
        case .unknownDocument(let name, let known):
            "a block names the document '\(name)'; known: \(known.joined(separator: ", "))"
        case .unknownTable(let title, let document, let known):
            "a block names '\(title)', which \(document) does not declare; its tables: \(known.joined(separator: ", "))"
        case .repeated(let title, let document):
            "the keys of \(document) \(title) appear twice; keep one block"
        case .unterminated(let title, let document):
            "the block of \(document) \(title) has no end marker"
        case .missing(let title, let document, let markers):
            "\(document) declares \(title), but there is no block for it; add these two lines where its keys belong:\n"
                + markers.joined(separator: "\n")
        }
    }
}
