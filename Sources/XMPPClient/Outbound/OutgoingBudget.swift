import XMPPCore

/// The most bytes one stanza we send may take on this stream, and what becomes of one that
/// would take more.
///
/// A server closes the stream of a client that sends a stanza past its limit, so such a stanza
/// must never be written: an answer is replaced by a small error to the requester (who waits
/// for exactly one answer), anything else is dropped. The limit is the server's where it
/// announces one (XEP-0478 stream limits), else the common 256 KiB less headroom.
public struct OutgoingBudget: Sendable, Equatable {
    public static let streamLimitsNamespace = "urn:xmpp:stream-limits:0"
    /// Prosody's `c2s_stanza_size_limit` and ejabberd's `max_stanza_size` for clients.
    public static let commonServerLimit = 262_144
    /// Kept free under a limit we only assume, for servers that count a little differently.
    public static let headroom = 8_192
    /// A replacement error must fit under any budget; no announced limit is taken below this.
    public static let smallestLimit = 4_096

    public var maximumBytes: Int

    public init(maximumBytes: Int = OutgoingBudget.commonServerLimit - OutgoingBudget.headroom) {
        self.maximumBytes = max(maximumBytes, Self.smallestLimit)
    }

    /// The budget for a stream that announced these features.
    public init(features: XMLElement) {
        if let announced = Self.announcedLimit(in: features) {
            self.init(maximumBytes: announced)
        } else {
            self.init()
        }
    }

    /// XEP-0478: `<limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>N</max-bytes></limits>`.
    public static func announcedLimit(in features: XMLElement) -> Int? {
        guard let text = features.child("limits", namespace: streamLimitsNamespace)?.childText("max-bytes", namespace: streamLimitsNamespace),
              let bytes = Int(text.trimmingWhitespace()), bytes > 0
        else { return nil }
        return bytes
    }

    public enum Verdict: Sendable, Equatable {
        case fits
        /// Send this small error answer in place of the oversized answer.
        case replace(XMLElement)
        /// Write nothing; the text says why, for the log.
        case drop(String)
    }

    /// What to do with a stanza that serializes to `size` bytes.
    public func verdict(for stanza: XMLElement, size: Int) -> Verdict {
        guard size > maximumBytes else { return .fits }
        let type = stanza[attribute: "type"]
        let what = "<\(stanza.name)\(type.map { " type='\($0)'" } ?? "")> of \(size) bytes to \(stanza[attribute: "to"] ?? "the server")"
        guard stanza.name == "iq", type == "result" || type == "error", let id = stanza[attribute: "id"] else {
            return .drop("\(what) is over this stream's limit of \(maximumBytes) bytes")
        }
        var replacement = XMLElement("iq", namespace: StreamNamespace.client, ["type": "error", "id": id, "to": stanza[attribute: "to"]])
        replacement.append(StanzaError(
            .resourceConstraint, type: .cancel,
            text: "the answer (\(size) bytes) is larger than this connection allows (\(maximumBytes) bytes)").element)
        return .replace(replacement)
    }
}
