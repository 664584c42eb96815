/// Why a string is not a valid JID.
public enum JIDError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Part: String, Sendable {
        case localpart, domain, resource
    }

    case empty
    case emptyPart(Part)
    case partTooLong(Part, bytes: Int)
    case forbiddenCharacter(Character, part: Part)
    case invalidDomain(String, reason: String)

    public var description: String {
        switch self {
        case .empty:
            "the JID is empty"
        case .emptyPart(let part):
            "the \(part.rawValue) is empty"
        case .partTooLong(let part, let bytes):
            "the \(part.rawValue) is \(bytes) bytes long; the limit is \(JID.maximumPartLength)"
        case .forbiddenCharacter(let character, let part):
            "the \(part.rawValue) contains the forbidden character "
                + "U+\(String(character.unicodeScalars.first?.value ?? 0, radix: 16, uppercase: true))"
        case .invalidDomain(let domain, let reason):
            "the domain \"\(domain)\" is invalid: \(reason)"
        }
    }
}
