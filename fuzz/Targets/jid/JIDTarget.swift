import XMPPCore

/// JIDs (`JID.init(_:)`, RFC 7622 as adhocd applies it).
///
/// Properties: a JID's text reads back as the same JID (preparation is idempotent); each part
/// is within 1…1023 bytes; the localpart and domain hold none of the characters the RFC
/// forbids there; the domain has no trailing dot; the parts build the same JID; the bare JID is
/// the full one without its resource; equal JIDs hash alike.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJID(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let resource = input.line()
    let text = input.restAsText()
    guard let jid = try? JID(text) else { return 0 }

    let description = jid.description
    let again: JID
    do {
        again = try JID(description)
    } catch {
        require(false, "'\(description)', read from '\(text)', does not read back: \(error)")
        return 0
    }
    require(again == jid && again.description == description, "'\(text)' → '\(description)' → '\(again)'")
    require(again.hashValue == jid.hashValue, "equal JIDs hash differently")

    for part in [jid.localpart, jid.domain, jid.resource].compactMap({ $0 }) {
        require((1...JID.maximumPartLength).contains(part.utf8.count), "a part of '\(description)' has \(part.utf8.count) bytes")
    }
    // Checked scalar by scalar: a combining mark must not hide a separator or a space.
    if let localpart = jid.localpart {
        require(!localpart.unicodeScalars.contains(where: { "\"&'/:<>@".unicodeScalars.contains($0) || $0.properties.isWhitespace }),
                "localpart '\(localpart)' has a forbidden character")
    }
    require(!jid.domain.hasSuffix(".") && !jid.domain.unicodeScalars.contains(where: { "/@".unicodeScalars.contains($0) || $0.properties.isWhitespace }),
            "domain '\(jid.domain)'")

    do {
        let rebuilt = try JID(localpart: jid.localpart, domain: jid.domain, resource: jid.resource)
        require(rebuilt == jid, "the parts of '\(description)' build '\(rebuilt)'")
    } catch {
        require(false, "the parts of '\(description)' do not build a JID: \(error)")
    }
    require(jid.bare.resource == nil && jid.bare.localpart == jid.localpart && jid.bare.domain == jid.domain, "bare of '\(description)'")
    require(description.hasPrefix(jid.bare.description), "'\(jid.bare)' is not the start of '\(description)'")

    if let other = try? jid.withResource(resource) {
        require(other.bare == jid.bare && other.resource == resource, "withResource('\(resource)') on '\(description)' gives '\(other)'")
        require((try? JID(other.description)) == other, "'\(other)' does not read back")
    }
    return 0
}
