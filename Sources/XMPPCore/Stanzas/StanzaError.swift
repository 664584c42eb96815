/// A stanza error (RFC 6120 §8.3): what went wrong with one request, for its sender.
public struct StanzaError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum ErrorType: String, Sendable {
        case auth, cancel, `continue`, modify, wait
    }

    public enum Condition: String, Sendable, CaseIterable {
        case badRequest = "bad-request"
        case conflict
        case featureNotImplemented = "feature-not-implemented"
        case forbidden
        case gone
        case internalServerError = "internal-server-error"
        case itemNotFound = "item-not-found"
        case jidMalformed = "jid-malformed"
        case notAcceptable = "not-acceptable"
        case notAllowed = "not-allowed"
        case notAuthorized = "not-authorized"
        case policyViolation = "policy-violation"
        case recipientUnavailable = "recipient-unavailable"
        case redirect
        case registrationRequired = "registration-required"
        case remoteServerNotFound = "remote-server-not-found"
        case remoteServerTimeout = "remote-server-timeout"
        case resourceConstraint = "resource-constraint"
        case serviceUnavailable = "service-unavailable"
        case subscriptionRequired = "subscription-required"
        case undefinedCondition = "undefined-condition"
        case unexpectedRequest = "unexpected-request"

        /// The error type RFC 6120 §8.3.3 pairs with each condition.
        public var defaultType: ErrorType {
            switch self {
            case .badRequest, .jidMalformed, .notAcceptable, .policyViolation, .redirect: .modify
            case .forbidden, .notAuthorized, .registrationRequired, .subscriptionRequired: .auth
            case .recipientUnavailable, .remoteServerTimeout, .resourceConstraint, .unexpectedRequest: .wait
            default: .cancel
            }
        }
    }

    public var type: ErrorType
    public var condition: Condition
    public var text: String?
    /// An application-specific condition element, such as XEP-0050's `<bad-sessionid/>`.
    public var applicationCondition: XMLElement?

    public init(_ condition: Condition, type: ErrorType? = nil, text: String? = nil, applicationCondition: XMLElement? = nil) {
        self.condition = condition
        self.type = type ?? condition.defaultType
        self.text = text
        self.applicationCondition = applicationCondition
    }

    /// Reads the `<error/>` child of an error stanza; unknown conditions read as undefined-condition.
    public init(element: XMLElement) {
        var condition = Condition.undefinedCondition
        var text: String?
        var application: XMLElement?
        for child in element.elements {
            if child.namespace == StreamNamespace.stanzaErrors {
                if child.name == "text" { text = child.text } else if let known = Condition(rawValue: child.name) { condition = known }
            } else {
                application = child
            }
        }
        self.init(condition, type: element[attribute: "type"].flatMap(ErrorType.init(rawValue:)), text: text, applicationCondition: application)
    }

    /// The most bytes of `text` written (escaped): texts may quote what a stranger sent (a
    /// node name), and an error answer must stay small whatever it quotes.
    public static let maximumTextBytes = 512

    /// The `<error/>` element to put in an error stanza; a long text is cut, saying so.
    public var element: XMLElement {
        var error = XMLElement("error", namespace: StreamNamespace.client, ["type": type.rawValue])
        error.append(XMLElement(condition.rawValue, namespace: StreamNamespace.stanzaErrors))
        if let text {
            error.append(XMLElement("text", namespace: StreamNamespace.stanzaErrors, ["xml:lang": "en"], children: [.text(Self.cut(text))]))
        }
        if let applicationCondition { error.append(applicationCondition) }
        return error
    }

    static func cut(_ text: String) -> String {
        let marker = "…"
        let kept = XMLEscaping.prefix(of: text, escapedBytes: maximumTextBytes)
        guard kept.endIndex != text.endIndex else { return text }
        return String(XMLEscaping.prefix(of: text, escapedBytes: maximumTextBytes - marker.utf8.count)) + marker
    }

    public var description: String {
        var result = "\(type.rawValue)/\(condition.rawValue)"
        if let applicationCondition { result += " (\(applicationCondition.name))" }
        if let text { result += ": \(text)" }
        return result
    }
}
