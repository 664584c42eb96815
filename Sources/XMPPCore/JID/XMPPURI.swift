/// `xmpp:` URIs (RFC 5122) with XEP-0050's `command` query action: clients such as Cheogram
/// open the command straight from the link.
public enum XMPPURI {
    /// `xmpp:bot@example.org/adhocd?command;node=mpris%2Fremote`
    public static func command(node: String, at jid: JID) -> String {
        address(jid) + "?command;node=" + escape(node, keeping: [])
    }

    /// `xmpp:bot@example.org/adhocd?command`: the entity's command list (XEP-0050 §5).
    public static func commandList(at jid: JID) -> String {
        address(jid) + "?command"
    }

    private static func address(_ jid: JID) -> String {
        var uri = "xmpp:"
        if let localpart = jid.localpart { uri += escape(localpart, keeping: nodeAllowed) + "@" }
        uri += escape(jid.domain, keeping: hostAllowed)
        if let resource = jid.resource { uri += "/" + escape(resource, keeping: resourceAllowed) }
        return uri
    }

    // RFC 5122 §2.2: nodeallow, the reg-name sub-delims, resallow. Query keys and values
    // (XEP-0147) keep only unreserved characters, so a `/` in a node becomes %2F.
    private static let nodeAllowed = Set("!$()*+,;=".utf8)
    private static let hostAllowed = Set("!$&'()*+,;=".utf8)
    private static let resourceAllowed = Set("!$&'()*+,:;=".utf8)
    private static let hexDigits = Array("0123456789ABCDEF".unicodeScalars)

    /// Percent-encodes the UTF-8 of `text` except unreserved characters and `keeping`.
    static func escape(_ text: String, keeping allowed: Set<UInt8>) -> String {
        var result = ""
        for byte in text.utf8 {
            if isUnreserved(byte) || allowed.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%"
                result.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                result.unicodeScalars.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return result
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
