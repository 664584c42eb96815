import XMPPCore

/// Everything the client needs to log in and stay online.
public struct ClientConfiguration: Sendable {
    /// The account: a bare JID.
    public var account: JID
    public var password: Secret
    /// The resource to bind; the server may assign another, which is then used.
    public var resource: String
    /// A fixed host (and port) to connect to instead of SRV lookup.
    public var host: String?
    public var port: Int?
    public var tls: TLSMode
    public var tlsSettings: TLSSettings
    /// SASL mechanisms we may use (names as on the wire); nil allows all we implement.
    public var allowedMechanisms: Set<String>?

    /// The presence sent after each login.
    public var presence: PresenceSettings

    /// Identity for XEP-0092 and XEP-0030.
    public var softwareName: String
    public var softwareVersion: String

    public var connectTimeout: Duration
    /// The longest from TCP connect to bound resource.
    public var negotiationTimeout: Duration
    /// How long a request waits for its answer by default.
    public var requestTimeout: Duration
    /// How often the server is pinged (XEP-0199) to find a dead connection.
    public var keepaliveInterval: Duration
    /// A ping without answer for this long means the connection is dead.
    public var pingTimeout: Duration
    /// Reconnect delays.
    public var backoff: Backoff
    /// Reconnect delays after the server refused our credentials: long, since retrying a wrong
    /// password every minute only fills logs (and may get the account locked).
    public var authenticationBackoff: Backoff
    /// XEP-0198 stream management: acks, and resumption that keeps replies across a dropped
    /// connection. Used when the server offers it.
    public var streamManagement: Bool
    /// A request seen again from the same sender with the same id within this time is
    /// answered from the recent answers (clients re-send after their own reconnect), never run
    /// twice; an answer waiting this long for a connection is dropped.
    public var duplicateWindow: Duration
    /// Requests handled at once; past this the client stops reading until some finish, so a
    /// flood is held back by TCP rather than piling up in memory.
    public var maximumConcurrentRequests: Int
    /// A session that lasted this long resets the reconnect delay to its start.
    public var stableSessionDuration: Duration
    public var parserLimits: XMLStreamParser.Limits

    public init(
        account: JID,
        password: Secret,
        resource: String = "adhocd",
        host: String? = nil,
        port: Int? = nil,
        tls: TLSMode = .startTLS,
        tlsSettings: TLSSettings = TLSSettings(),
        allowedMechanisms: Set<String>? = nil,
        presence: PresenceSettings = PresenceSettings(),
        softwareName: String = "adhocd",
        softwareVersion: String = "0.1.0",
        connectTimeout: Duration = .seconds(15),
        negotiationTimeout: Duration = .seconds(30),
        requestTimeout: Duration = .seconds(30),
        keepaliveInterval: Duration = .seconds(60),
        pingTimeout: Duration = .seconds(20),
        backoff: Backoff = Backoff(),
        authenticationBackoff: Backoff = Backoff(initial: .seconds(300), maximum: .seconds(3_600)),
        streamManagement: Bool = true,
        duplicateWindow: Duration = .seconds(600),
        maximumConcurrentRequests: Int = 64,
        stableSessionDuration: Duration = .seconds(60),
        parserLimits: XMLStreamParser.Limits = XMLStreamParser.Limits()
    ) {
        self.account = account.bare
        self.password = password
        self.resource = resource
        self.host = host
        self.port = port
        self.tls = tls
        self.tlsSettings = tlsSettings
        self.allowedMechanisms = allowedMechanisms
        self.presence = presence
        self.softwareName = softwareName
        self.softwareVersion = softwareVersion
        self.connectTimeout = connectTimeout
        self.negotiationTimeout = negotiationTimeout
        self.requestTimeout = requestTimeout
        self.keepaliveInterval = keepaliveInterval
        self.pingTimeout = pingTimeout
        self.backoff = backoff
        self.authenticationBackoff = authenticationBackoff
        self.streamManagement = streamManagement
        self.duplicateWindow = duplicateWindow
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.stableSessionDuration = stableSessionDuration
        self.parserLimits = parserLimits
    }
}

/// The availability the client announces.
public struct PresenceSettings: Sendable, Equatable {
    public var show: Presence.Show
    public var status: String?
    public var priority: Int

    public init(show: Presence.Show = .online, status: String? = nil, priority: Int = 0) {
        self.show = show
        self.status = status
        self.priority = priority
    }
}
