/// A top-level element the parser read past without building it, because it broke a limit.
///
/// It carries what an answer needs (the name says whether it is an IQ; id, type and addresses
/// say whom to answer) and nothing else. Values are cut to sane lengths: an id or an address
/// longer than any valid one is dropped rather than cut, since a cut one would address the
/// answer to somebody else.
public struct SkippedStanza: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// Larger than this many bytes, start tag included.
        case tooLarge(limit: Int)
        /// Nested deeper than this.
        case tooDeep(limit: Int)

        public var description: String {
            switch self {
            case .tooLarge(let limit): "larger than \(limit) bytes"
            case .tooDeep(let limit): "nested deeper than \(limit) elements"
            }
        }
    }

    public var name: String
    public var namespace: String
    public var id: String?
    public var type: String?
    public var from: String?
    public var to: String?
    public var reason: Reason

    /// Longest kept: a JID is at most 3071 bytes (RFC 7622 §3.1); ids we could echo back.
    static let maximumAddressBytes = 3071
    static let maximumIDBytes = 1024
    static let maximumNameBytes = 64
    static let maximumNamespaceBytes = 256
    static let maximumTypeBytes = 32

    public init(
        name: String, namespace: String, id: String? = nil, type: String? = nil, from: String? = nil, to: String? = nil,
        reason: Reason
    ) {
        self.name = name
        self.namespace = namespace
        self.id = id
        self.type = type
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// Whether a skip report reads this attribute.
    static func isAddressing(_ attribute: String) -> Bool {
        switch attribute {
        case "id", "type", "from", "to": true
        default: false
        }
    }

    /// Reads what is kept from a start tag's name and attributes.
    init(name: String, namespace: String, attributes: [XMLAttribute], reason: Reason) {
        func value(_ attribute: String, atMost limit: Int) -> String? {
            guard let value = attributes.first(where: { $0.name == attribute })?.value, value.utf8.count <= limit else { return nil }
            return value
        }
        self.init(
            name: String(XMLEscaping.prefix(of: name, escapedBytes: Self.maximumNameBytes)),
            namespace: String(XMLEscaping.prefix(of: namespace, escapedBytes: Self.maximumNamespaceBytes)),
            id: value("id", atMost: Self.maximumIDBytes),
            type: value("type", atMost: Self.maximumTypeBytes),
            from: value("from", atMost: Self.maximumAddressBytes),
            to: value("to", atMost: Self.maximumAddressBytes),
            reason: reason)
    }

    /// An IQ get or set expects exactly one answer (RFC 6120 §8.2.3), so it gets an error.
    public var isRequest: Bool {
        name == "iq" && (type == "get" || type == "set")
    }

    public var description: String {
        "<\(name)\(type.map { " type='\($0)'" } ?? "")\(from.map { " from='\($0)'" } ?? "")> \(reason)"
    }
}
