import XMPPCore

/// How the connection is secured.
public enum TLSMode: String, Sendable, CaseIterable {
    /// Plain TCP upgraded with STARTTLS, which the server must offer (the default).
    case startTLS = "starttls"
    /// TLS from the first byte (XEP-0368), usually port 5223.
    case directTLS = "direct"
    /// No encryption at all: only accepted towards a loopback address.
    case plaintext = "none"
}

/// One host and port to try, and whether TLS starts at once there.
public struct ConnectionTarget: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var directTLS: Bool

    public init(host: String, port: Int, directTLS: Bool) {
        self.host = host
        self.port = port
        self.directTLS = directTLS
    }

    public var description: String { "\(host):\(port)\(directTLS ? " (direct TLS)" : "")" }

    /// Where to connect, in order: the configured host, else SRV records for direct TLS
    /// (`_xmpps-client._tcp`) and STARTTLS (`_xmpp-client._tcp`) merged by priority, else the
    /// domain itself on 5222.
    static func candidates(
        domain: String, host: String?, port: Int?, tls: TLSMode,
        lookup: (String) async -> [SRVRecord] = SRVResolver.lookup
    ) async -> [ConnectionTarget] {
        if let host {
            let defaultPort = tls == .directTLS ? 5223 : 5222
            return [ConnectionTarget(host: host, port: port ?? defaultPort, directTLS: tls == .directTLS)]
        }
        var weighted: [(record: SRVRecord, directTLS: Bool)] = []
        if tls != .plaintext {
            weighted += SRVRecord.ordered(await lookup("_xmpps-client._tcp.\(domain)")).map { ($0, true) }
        }
        if tls != .directTLS {
            weighted += SRVRecord.ordered(await lookup("_xmpp-client._tcp.\(domain)")).map { ($0, false) }
        }
        // A stable sort by priority keeps each list's weighted order; direct TLS wins ties.
        let merged = weighted.enumerated().sorted { lhs, rhs in
            (lhs.element.record.priority, lhs.offset) < (rhs.element.record.priority, rhs.offset)
        }
        var targets = merged.map {
            ConnectionTarget(host: $0.element.record.target, port: Int($0.element.record.port), directTLS: $0.element.directTLS)
        }
        let fallback = ConnectionTarget(host: domain, port: tls == .directTLS ? 5223 : 5222, directTLS: tls == .directTLS)
        if !targets.contains(fallback) { targets.append(fallback) }
        return targets
    }
}
