/// Namespaces of the stream layer (RFC 6120).
public enum StreamNamespace {
    public static let stream = "http://etherx.jabber.org/streams"
    public static let client = "jabber:client"
    public static let streamErrors = "urn:ietf:params:xml:ns:xmpp-streams"
    public static let tls = "urn:ietf:params:xml:ns:xmpp-tls"
    public static let sasl = "urn:ietf:params:xml:ns:xmpp-sasl"
    public static let bind = "urn:ietf:params:xml:ns:xmpp-bind"
    public static let session = "urn:ietf:params:xml:ns:xmpp-session"
    public static let stanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas"
    public static let xml = "http://www.w3.org/XML/1998/namespace"
}

/// The defined conditions of a stream error (RFC 6120 §4.9.3).
public enum StreamErrorCondition: String, Sendable, CaseIterable {
    case badFormat = "bad-format"
    case badNamespacePrefix = "bad-namespace-prefix"
    case conflict
    case connectionTimeout = "connection-timeout"
    case hostGone = "host-gone"
    case hostUnknown = "host-unknown"
    case improperAddressing = "improper-addressing"
    case internalServerError = "internal-server-error"
    case invalidFrom = "invalid-from"
    case invalidNamespace = "invalid-namespace"
    case invalidXML = "invalid-xml"
    case notAuthorized = "not-authorized"
    case notWellFormed = "not-well-formed"
    case policyViolation = "policy-violation"
    case remoteConnectionFailed = "remote-connection-failed"
    case reset
    case resourceConstraint = "resource-constraint"
    case restrictedXML = "restricted-xml"
    case seeOtherHost = "see-other-host"
    case systemShutdown = "system-shutdown"
    case undefinedCondition = "undefined-condition"
    case unsupportedEncoding = "unsupported-encoding"
    case unsupportedFeature = "unsupported-feature"
    case unsupportedStanzaType = "unsupported-stanza-type"
    case unsupportedVersion = "unsupported-version"
}

/// A stream-level error, sent or received as `<stream:error>`; it always ends the stream.
public struct StreamError: Error, Sendable, Equatable, CustomStringConvertible {
    public var condition: StreamErrorCondition
    public var text: String?
    /// The condition element's own content: the host and port of `see-other-host`.
    public var conditionText: String?

    public init(_ condition: StreamErrorCondition, text: String? = nil, conditionText: String? = nil) {
        self.condition = condition
        self.text = text
        self.conditionText = conditionText
    }

    /// Reads a received `<stream:error>`; an unknown condition reads as undefined-condition.
    public init(element: XMLElement) {
        var condition = StreamErrorCondition.undefinedCondition
        var text: String?
        var conditionText: String?
        for child in element.elements where child.namespace == StreamNamespace.streamErrors {
            if child.name == "text" {
                text = child.text
            } else if let known = StreamErrorCondition(rawValue: child.name) {
                condition = known
                conditionText = child.text.isEmpty ? nil : child.text
            }
        }
        self.init(condition, text: text, conditionText: conditionText)
    }

    /// The error as written on a client stream: `<stream:error>` with its prefix, which the
    /// stream header binds. (Some servers' parsers match the literal name: ejabberd's does.)
    public var serialized: String {
        var output = "<stream:error>"
        var conditionElement = XMLElement(condition.rawValue, namespace: StreamNamespace.streamErrors)
        if let conditionText { conditionElement.append(text: conditionText) }
        conditionElement.write(to: &output, inheritedNamespace: StreamNamespace.stream)
        if let text {
            XMLElement("text", namespace: StreamNamespace.streamErrors, text: text).write(to: &output, inheritedNamespace: StreamNamespace.stream)
        }
        return output + "</stream:error>"
    }

    /// The `<stream:error>` element (namespace of the stream, prefix `stream` on the wire).
    public var element: XMLElement {
        var error = XMLElement("error", namespace: StreamNamespace.stream)
        error.append(XMLElement(condition.rawValue, namespace: StreamNamespace.streamErrors))
        if let text {
            error.append(XMLElement("text", namespace: StreamNamespace.streamErrors, text: text))
        }
        return error
    }

    public var description: String {
        text.map { "stream error \(condition.rawValue): \($0)" } ?? "stream error \(condition.rawValue)"
    }
}
