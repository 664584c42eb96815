/// The attributes of an opening `<stream:stream>` tag.
public struct StreamHeader: Sendable, Equatable {
    public var from: String?
    public var to: String?
    public var id: String?
    public var version: String?
    public var language: String?
    /// The default namespace of the stream's content (`jabber:client` for clients).
    public var contentNamespace: String

    public init(
        from: String? = nil, to: String? = nil, id: String? = nil, version: String? = "1.0",
        language: String? = nil, contentNamespace: String = StreamNamespace.client
    ) {
        self.from = from
        self.to = to
        self.id = id
        self.version = version
        self.language = language
        self.contentNamespace = contentNamespace
    }

    /// The XML declaration and opening tag, as a client sends them at each stream (re)start.
    public var opening: String {
        var text = "<?xml version='1.0'?><stream:stream xmlns='"
        XMLEscaping.appendEscaped(contentNamespace, to: &text, inAttribute: true)
        text += "' xmlns:stream='\(StreamNamespace.stream)'"
        for (name, value) in [("from", from), ("to", to), ("id", id), ("version", version), ("xml:lang", language)] {
            guard let value else { continue }
            text += " \(name)='"
            XMLEscaping.appendEscaped(value, to: &text, inAttribute: true)
            text += "'"
        }
        return text + ">"
    }

    public static let closing = "</stream:stream>"
}

/// What the stream parser hands up: the header, then one event per top-level element.
public enum StreamEvent: Sendable, Equatable {
    case opened(StreamHeader)
    case element(XMLElement)
    /// A top-level element over a limit, read past without building it.
    case skipped(SkippedStanza)
    case closed
}
