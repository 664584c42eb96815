import Logging
import NIOCore
import NIOPosix
import NIOSSL
import XMPPCore

/// One TCP connection carrying an XML stream, possibly upgraded to TLS.
///
/// Reading is an async sequence of stream events with a single consumer (the negotiator, then
/// the session loop, in one task); writing is safe from any task.
final class StreamConnection: Sendable {
    let channel: any Channel
    let events: AsyncThrowingStream<StreamEvent, any Error>
    let target: ConnectionTarget
    private let failure: TransportFailure

    private init(channel: any Channel, events: AsyncThrowingStream<StreamEvent, any Error>, target: ConnectionTarget, failure: TransportFailure) {
        self.channel = channel
        self.events = events
        self.target = target
        self.failure = failure
    }

    /// Opens a TCP connection (with TLS at once for direct-TLS targets).
    static func connect(
        to target: ConnectionTarget,
        tls: TLSSettings,
        serverName: String,
        limits: XMLStreamParser.Limits,
        timeout: TimeAmount,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> StreamConnection {
        let (events, continuation) = AsyncThrowingStream<StreamEvent, any Error>.makeStream()
        let failure = TransportFailure()
        let sslContext = target.directTLS ? try tls.makeContext(directTLS: true) : nil
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(XMLStreamHandler(limits: limits, logger: logger))
                    try channel.pipeline.syncOperations.addHandler(StreamEventForwarder(continuation: continuation, failure: failure))
                }
            }
        do {
            let channel = try await bootstrap.connect(host: target.host, port: target.port).get()
            return StreamConnection(channel: channel, events: events, target: target, failure: failure)
        } catch {
            continuation.finish()
            throw ConnectionError.connectFailed(target: target.description, reason: "\(error)")
        }
    }

    /// True when the peer is a loopback address, the only place plaintext is allowed.
    var isLoopback: Bool {
        switch channel.remoteAddress {
        case .v4(let address)?:
            return address.address.sin_addr.s_addr & 0xFF == 127
        case .v6?:
            return channel.remoteAddress?.ipAddress == "::1"
        default:
            return false
        }
    }

    func send(_ output: StreamOutput) async throws {
        do {
            try await channel.writeAndFlush(output).get()
        } catch {
            throw ConnectionError(transportError: failure.first ?? error)
        }
    }

    func send(_ element: XMLElement) async throws {
        try await send(.element(element))
    }

    /// Puts TLS under the stream (after the server's `<proceed/>`) and resets the parser.
    func startTLS(_ tls: TLSSettings, serverName: String) async throws {
        let context = try tls.makeContext(directTLS: false)
        try await channel.eventLoop.submit { [channel] in
            let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
        try await restartParser()
    }

    /// Holds the stanzas written from now on to this stream's budget.
    func use(_ budget: OutgoingBudget) async throws {
        try await channel.triggerUserOutboundEvent(XMLStreamHandler.UseBudget(budget: budget)).get()
    }

    /// Forgets the old stream's parser state before a new stream header is sent.
    func restartParser() async throws {
        do {
            try await channel.triggerUserOutboundEvent(XMLStreamHandler.RestartParser()).get()
        } catch {
            // A TLS handshake that failed at once (an unverifiable certificate) has already
            // closed the channel: report the handshake failure, not the closed channel.
            throw ConnectionError(transportError: failure.first ?? error)
        }
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Closes the connection, remembering why, so the session reports the cause.
    func close(because reason: ConnectionError) {
        failure.record(reason)
        close()
    }

    /// Why the connection ended, when something went wrong before or while it closed.
    var failureReason: ConnectionError? {
        failure.first.map { ($0 as? ConnectionError) ?? ConnectionError(transportError: $0) }
    }
}
