import XMPPCore

/// XEP-0198 bookkeeping of one session: the counters both ways, the stanzas the server has not
/// acknowledged yet, and what a later connection needs to resume. Pure: the session decides
/// when to use it.
///
/// Counters are 32-bit and wrap at 2^32 (XEP-0198 §4): differences are taken modulo 2^32.
struct StreamManagement: Sendable, Equatable {
    static let namespace = "urn:xmpp:sm:3"

    /// What the server said when it enabled resumption.
    struct Resumption: Sendable, Equatable {
        var id: String
        /// Where to reconnect for resumption, as the server prefers (`location`).
        var location: String?
        /// How long the server keeps the session after a disconnect (`max`, seconds).
        var maximum: Duration?
        /// When the connection carrying the session was lost.
        var lostAt: ContinuousClock.Instant?

        /// Too late to try: the server has certainly dropped the session.
        func hasExpired(at now: ContinuousClock.Instant) -> Bool {
            guard let maximum, let lostAt else { return false }
            return now - lostAt > maximum
        }
    }

    struct Unacknowledged: Sendable, Equatable {
        var stanza: OutgoingStanza
        var writtenOn: StreamEpoch
    }

    enum AckError: Error, Equatable {
        /// The server acknowledged more than we sent: its count and ours.
        case tooHigh(handled: UInt32, sent: UInt32)
    }

    /// Counting is on for the current stream (from our `<enable/>` or `<resume/>`).
    var isCounting = false
    /// Stanzas received and handled (our `h`).
    var inbound: UInt32 = 0
    /// The server's last acknowledged count of our stanzas.
    var acknowledged: UInt32 = 0
    /// Stanzas written and not yet acknowledged, oldest first.
    var unacknowledged: [Unacknowledged] = []
    var resumption: Resumption?
    /// An `<r/>` is out and its `<a/>` not back.
    var awaitingAck = false

    var isResumable: Bool { resumption != nil }

    /// Our count of stanzas written, as the server will count them.
    var sent: UInt32 { acknowledged &+ UInt32(truncatingIfNeeded: unacknowledged.count) }

    /// `<enable/>` is written: both counters start from zero.
    mutating func startCounting() {
        self = StreamManagement()
        isCounting = true
    }

    mutating func countInbound() {
        guard isCounting else { return }
        inbound &+= 1
    }

    mutating func recordWritten(_ stanza: OutgoingStanza, on epoch: StreamEpoch) {
        unacknowledged.append(Unacknowledged(stanza: stanza, writtenOn: epoch))
    }

    /// Applies the server's `h`: returns the stanzas it newly acknowledges, in order.
    mutating func acknowledge(upTo handled: UInt32) throws(AckError) -> [Unacknowledged] {
        let newlyHandled = Int(handled &- acknowledged)
        guard newlyHandled <= unacknowledged.count else {
            throw .tooHigh(handled: handled, sent: sent)
        }
        let confirmed = Array(unacknowledged.prefix(newlyHandled))
        unacknowledged.removeFirst(newlyHandled)
        acknowledged = handled
        return confirmed
    }

    /// The session cannot be resumed: everything is forgotten, and what was never acknowledged
    /// is handed back (to be sent again on a new session, or dropped).
    mutating func abandon() -> [Unacknowledged] {
        defer { self = StreamManagement() }
        return unacknowledged
    }

    /// Takes the unacknowledged stanzas out to write them again after a resumption; the server
    /// counts them anew from its `h`.
    mutating func takeForResending() -> [Unacknowledged] {
        defer { unacknowledged.removeAll() }
        return unacknowledged
    }

    // MARK: Elements

    static func element(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:]) -> XMLElement {
        XMLElement(name, namespace: namespace, attributes)
    }

    var ackElement: XMLElement { Self.element("a", ["h": String(inbound)]) }

    static func readCount(_ element: XMLElement) -> UInt32? {
        element[attribute: "h"].flatMap { UInt32($0) }
    }
}
