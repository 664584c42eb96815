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

    /// Reads "host", "host:port", "[IPv6]" or "[IPv6]:port": the form of a `see-other-host`
    /// stream error (RFC 6120 §4.9.3.19) and of XEP-0198's `location`. Nil for anything else.
    public init?(address: String, defaultPort: Int, directTLS: Bool) {
        let text = address.trimmingWhitespace()
        var host = Substring(text)
        var port = defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = host.firstIndex(of: ":") {
            // One colon separates the port; more would be an unbracketed IPv6 address.
            guard host[host.index(after: colon)...].firstIndex(of: ":") == nil, let number = Int(host[host.index(after: colon)...]) else {
                return nil
            }
            port = number
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65_535).contains(port), !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        self.init(host: String(host), port: port, directTLS: directTLS)
    }

    /// Where to connect, in order: the configured host, else SRV records for direct TLS
    /// (`_xmpps-client._tcp`) and STARTTLS (`_xmpp-client._tcp`) merged by priority, else the
    /// domain itself (5222, or 5223 for direct TLS).
    ///
    /// RFC 6120 §3.2.1: once SRV records are found, only they are tried (no fallback to the
    /// bare domain); a single record with target "." says the service is decidedly not offered,
    /// which aborts (`serviceNotOffered`) unless the other lookup found records.
    static func candidates(
        domain: String, host: String?, port: Int?, tls: TLSMode,
        lookup: (String) async -> [SRVRecord] = SRVResolver.lookup
    ) async throws(ConnectionError) -> [ConnectionTarget] {
        if let host {
            let defaultPort = tls == .directTLS ? 5223 : 5222
            return [ConnectionTarget(host: host, port: port ?? defaultPort, directTLS: tls == .directTLS)]
        }
        var weighted: [(record: SRVRecord, directTLS: Bool)] = []
        var declined = false
        for (service, directTLS) in [("_xmpps-client._tcp", true), ("_xmpp-client._tcp", false)] {
            guard directTLS ? tls != .plaintext : tls != .directTLS else { continue }
            let records = await lookup("\(service).\(domain)")
            if records.count == 1, records[0].target.isEmpty || records[0].target == "." {
                declined = true
                continue
            }
            weighted += SRVRecord.ordered(records.filter { !$0.target.isEmpty }).map { ($0, directTLS) }
        }
        // A stable sort by priority keeps each list's weighted order; direct TLS wins ties.
        let merged = weighted.enumerated().sorted { lhs, rhs in
            (lhs.element.record.priority, lhs.offset) < (rhs.element.record.priority, rhs.offset)
        }
        let targets = merged.map {
            ConnectionTarget(host: $0.element.record.target, port: Int($0.element.record.port), directTLS: $0.element.directTLS)
        }
        if !targets.isEmpty { return targets }
        if declined { throw .serviceNotOffered(domain) }
        return [ConnectionTarget(host: domain, port: tls == .directTLS ? 5223 : 5222, directTLS: tls == .directTLS)]
    }
}
