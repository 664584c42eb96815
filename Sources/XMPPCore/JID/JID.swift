/// An XMPP address (RFC 7622): `[localpart@]domainpart[/resourcepart]`.
///
/// Parsing applies the parts of RFC 7622 that matter for a bot's access decisions: the
/// domainpart and localpart are case-folded (so `Alice@Example.ORG` and `alice@example.org` are
/// one contact), a trailing dot on the domain is dropped, each part is limited to 1023 bytes of
/// UTF-8, and characters that the PRECIS profiles forbid are rejected. Full PRECIS mapping and
/// normalisation (width mapping, NFC) is not applied; servers send JIDs already prepared.
public struct JID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The part before `@`, case-folded; nil for a server or bare-domain address.
    public let localpart: String?
    /// The domain, case-folded, without a trailing dot.
    public let domain: String
    /// The part after the first `/`, kept as given (resources are case-sensitive).
    public let resource: String?

    /// The longest a part may be, in bytes of UTF-8 (RFC 7622 §3.2, §3.3, §3.4).
    public static let maximumPartLength = 1023

    /// Parses a JID from its string form.
    public init(_ string: String) throws(JIDError) {
        guard !string.isEmpty else { throw .empty }
        // Split on the bytes: '/' or '@' followed by a combining mark is one Character to Swift,
        // but still the separator (RFC 7622 works on code points). The resource is everything
        // after the first slash and may itself contain '@' and '/'.
        let utf8 = string.utf8
        var end = utf8.endIndex
        var resource: String?
        if let slash = utf8.firstIndex(of: UInt8(ascii: "/")) {
            resource = String(decoding: utf8[utf8.index(after: slash)...], as: UTF8.self)
            end = slash
        }
        var start = utf8.startIndex
        var localpart: String?
        if let at = utf8[..<end].firstIndex(of: UInt8(ascii: "@")) {
            localpart = String(decoding: utf8[..<at], as: UTF8.self)
            start = utf8.index(after: at)
        }
        try self.init(localpart: localpart, domain: String(decoding: utf8[start..<end], as: UTF8.self), resource: resource)
    }

    /// Builds a JID from its parts, validating and case-folding each.
    public init(localpart: String? = nil, domain: String, resource: String? = nil) throws(JIDError) {
        self.localpart = try localpart.map { part throws(JIDError) in try JID.prepareLocalpart(part) }
        self.domain = try JID.prepareDomain(domain)
        self.resource = try resource.map { part throws(JIDError) in try JID.prepareResource(part) }
    }

    /// The address without its resource.
    public var bare: JID {
        guard resource != nil else { return self }
        return JID(uncheckedLocalpart: localpart, domain: domain, resource: nil)
    }

    public var isBare: Bool { resource == nil }
    public var isFull: Bool { resource != nil }

    /// This address with another resource.
    public func withResource(_ resource: String) throws(JIDError) -> JID {
        JID(uncheckedLocalpart: localpart, domain: domain, resource: try JID.prepareResource(resource))
    }

    public var description: String {
        var text = ""
        if let localpart { text += localpart + "@" }
        text += domain
        if let resource { text += "/" + resource }
        return text
    }

    public static func < (lhs: JID, rhs: JID) -> Bool { lhs.description < rhs.description }

    private init(uncheckedLocalpart localpart: String?, domain: String, resource: String?) {
        self.localpart = localpart
        self.domain = domain
        self.resource = resource
    }
}

// MARK: - Preparation of each part

extension JID {
    /// Characters RFC 7622 §3.3.1 forbids in a localpart, beyond spaces and controls.
    private static let forbiddenInLocalpart: Set<Unicode.Scalar> = ["\"", "&", "'", "/", ":", "<", ">", "@"]

    static func prepareLocalpart(_ raw: String) throws(JIDError) -> String {
        let folded = asciiLowercased(raw) ?? raw.lowercased()
        try checkLength(folded, part: .localpart)
        if isPrintableASCII(folded) {
            // Fast path for the common case: only the listed ASCII characters can be wrong.
            if let bad = folded.utf8.first(where: isForbiddenInLocalpart) {
                throw .forbiddenCharacter(Character(Unicode.Scalar(bad)), part: .localpart)
            }
            return folded
        }
        // Scalar by scalar: a combining mark after a space or '@' must not hide it.
        for scalar in folded.unicodeScalars {
            if forbiddenInLocalpart.contains(scalar) || scalar.properties.isWhitespace || isControl(scalar) {
                throw .forbiddenCharacter(Character(scalar), part: .localpart)
            }
        }
        return folded
    }

    static func prepareDomain(_ raw: String) throws(JIDError) -> String {
        var domain = asciiLowercased(raw) ?? raw.lowercased()
        // A fully qualified name's trailing dot is not part of the JID (RFC 7622 §3.2).
        if domain.hasSuffix(".") { domain.removeLast() }
        try checkLength(domain, part: .domain)
        if domain.hasPrefix("[") {
            // An IPv6 literal: hex digits, colons and dots (for a mapped IPv4 tail) in brackets.
            guard domain.hasSuffix("]"), domain.count > 2,
                  domain.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
            else { throw .invalidDomain(raw, reason: "malformed IPv6 literal") }
            return domain
        }
        if !isPrintableASCII(domain) {
            for scalar in domain.unicodeScalars where scalar.properties.isWhitespace || isControl(scalar) {
                throw .forbiddenCharacter(Character(scalar), part: .domain)
            }
        }
        if let bad = domain.utf8.first(where: isForbiddenInDomain) {
            throw .forbiddenCharacter(Character(Unicode.Scalar(bad)), part: .domain)
        }
        // Label lengths, counted in one pass (splitting built an array per JID).
        var labelLength = 0
        for byte in domain.utf8 {
            if byte == UInt8(ascii: ".") {
                if labelLength == 0 { throw .invalidDomain(raw, reason: "empty label") }
                labelLength = 0
            } else {
                labelLength += 1
                if labelLength > 63 { throw .invalidDomain(raw, reason: "a label is longer than 63 bytes") }
            }
        }
        if labelLength == 0 { throw .invalidDomain(raw, reason: "empty label") }
        return domain
    }

    static func prepareResource(_ raw: String) throws(JIDError) -> String {
        try checkLength(raw, part: .resource)
        // Printable ASCII and spaces are always fine; only other text needs the Unicode tables.
        if raw.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return raw }
        for scalar in raw.unicodeScalars where isControl(scalar) {
            throw .forbiddenCharacter(Character(scalar), part: .resource)
        }
        return raw
    }

    /// The ASCII characters RFC 7622 forbids in a localpart (a switch: a `Set<UInt8>` hashed
    /// every byte of every sender's address).
    private static func isForbiddenInLocalpart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "/"), UInt8(ascii: ":"),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"): true
        default: false
        }
    }

    /// ASCII that cannot appear in a domain name (brackets only around an IPv6 literal).
    private static func isForbiddenInDomain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "&"), UInt8(ascii: ":"): true
        default: false
        }
    }

    /// True when every byte is a visible ASCII character (no space, no control).
    private static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// The ASCII lowercase form, or nil when the text is not ASCII (then Unicode case
    /// folding applies). Returns the string itself, without copying, when nothing changes.
    private static func asciiLowercased(_ text: String) -> String? {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text }
        return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    private static func checkLength(_ text: String, part: JIDError.Part) throws(JIDError) {
        if text.isEmpty { throw .emptyPart(part) }
        let length = text.utf8.count
        if length > maximumPartLength { throw .partTooLong(part, bytes: length) }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }
}
