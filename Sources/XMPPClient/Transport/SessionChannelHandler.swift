#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOSSL
import NIOTLS
import XMPPCore

/// The end of a connection's pipeline: hands stream events, TLS completion, errors and the
/// close to the `SessionDriver`, and holds back reads while the client is busy (backpressure:
/// a flood waits in TCP buffers, not in memory). Events already parsed from the last read wait
/// here meanwhile: at most one read's worth.
final class SessionChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = StreamEvent
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let connectionID: Int
    private let target: ConnectionTarget
    private let ended: EventLoopPromise<SessionEnd>
    private let driver: SessionDriver
    private var context: ChannelHandlerContext?
    private var readsPaused = false
    private var readWithheld = false
    private var heldBack = CircularBuffer<StreamEvent>()

    init(connectionID: Int, target: ConnectionTarget, ended: EventLoopPromise<SessionEnd>, driver: SessionDriver) {
        self.connectionID = connectionID
        self.target = target
        self.ended = ended
        self.driver = driver
    }

    func channelActive(context: ChannelHandlerContext) {
        driver.attach(context.channel, id: connectionID, target: target, ended: ended)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let event = unwrapInboundIn(data)
        if readsPaused || !heldBack.isEmpty {
            heldBack.append(event)
        } else {
            driver.receive(.stream(event), on: connectionID)
        }
    }

    /// Acknowledge at once what was read. Servers commonly run with Nagle's algorithm on
    /// (Prosody does): a small element of theirs we do not answer with data (the `<a/>` to our
    /// ack request) would otherwise wait for our delayed ACK, up to 40 ms, and hold back every
    /// stanza queued behind it. Linux clears the flag as it goes, so it is set after each read.
    func channelReadComplete(context: ChannelHandlerContext) {
        #if os(Linux)
        try? context.channel.syncOptions?.setOption(Self.quickACK, value: 1)
        #endif
        context.fireChannelReadComplete()
    }

    #if os(Linux)
    private static let quickACK = ChannelOptions.tcpOption(NIOBSDSocket.Option(rawValue: CInt(TCP_QUICKACK)))
    #endif

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            driver.receive(.tlsEstablished, on: connectionID)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? StreamParseError {
            driver.receive(.parseFailed(parseError), on: connectionID)
        } else {
            driver.receive(.transportFailed("\(error)"), on: connectionID)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // What was read is handled, even past the limit: without XEP-0198 it is not sent again.
        while let event = heldBack.popFirst() { driver.receive(.stream(event), on: connectionID) }
        driver.receive(.disconnected, on: connectionID)
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readWithheld = true
        } else {
            context.read()
        }
    }

    /// Stops or resumes reading from the socket; on resuming, what was held back goes first.
    func setReadsPaused(_ paused: Bool) {
        readsPaused = paused
        while !readsPaused, let event = heldBack.popFirst() {
            driver.receive(.stream(event), on: connectionID)
        }
        if !readsPaused, readWithheld {
            readWithheld = false
            context?.read()
        }
    }
}
