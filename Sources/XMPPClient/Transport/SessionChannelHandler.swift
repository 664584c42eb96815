import NIOCore
import NIOSSL
import NIOTLS
import XMPPCore

/// The end of a connection's pipeline: hands stream events, TLS completion, errors and the
/// close to the `SessionDriver`, and holds back reads while the client is busy (backpressure:
/// a flood waits in TCP buffers, not in memory).
final class SessionChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = StreamEvent
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let connectionID: Int
    private let driver: SessionDriver
    private var context: ChannelHandlerContext?
    private var readsPaused = false
    private var readWithheld = false

    init(connectionID: Int, driver: SessionDriver) {
        self.connectionID = connectionID
        self.driver = driver
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        driver.receive(.stream(unwrapInboundIn(data)), on: connectionID)
    }

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

    /// Stops or resumes reading from the socket.
    func setReadsPaused(_ paused: Bool) {
        readsPaused = paused
        if !paused, readWithheld {
            readWithheld = false
            context?.read()
        }
    }
}
