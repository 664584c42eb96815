import NIOSSL

/// How certificates are checked: the system's trust store, plus an optional CA file (PEM).
public struct TLSSettings: Sendable {
    public var caFile: String?

    public init(caFile: String? = nil) {
        self.caFile = caFile
    }

    /// Builds a client context that verifies the server's certificate and name.
    /// Throws if the CA file cannot be read, so a bad path is reported at start-up.
    func makeContext(directTLS: Bool) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        // Closing waits this long for the peer's close_notify; a dead peer never sends one.
        configuration.shutdownTimeout = .seconds(1)
        if let caFile {
            configuration.additionalTrustRoots = [.file(caFile)]
        }
        if directTLS {
            // XEP-0368: announce the protocol so a multiplexing server routes us right.
            configuration.applicationProtocols = ["xmpp-client"]
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConnectionError.tlsConfiguration("\(error)")
        }
    }

    /// Checks the settings once (the CA file parses), for early configuration errors.
    public func validate() throws {
        _ = try makeContext(directTLS: false)
    }
}
