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
    private var acknowledgement = ReadAcknowledgement()

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
        acknowledgement.read()
        if readsPaused || !heldBack.isEmpty {
            heldBack.append(event)
        } else {
            driver.receive(.stream(event), on: connectionID)
        }
    }

    /// Acknowledges at once what was read, unless data of ours already carried the ACK (see
    /// `ReadAcknowledgement`). Linux clears the flag as it goes, so it is set after each read.
    func channelReadComplete(context: ChannelHandlerContext) {
        let needsQuickACK = acknowledgement.readComplete()
        #if os(Linux)
        if needsQuickACK { try? context.channel.syncOptions?.setOption(Self.quickACK, value: 1) }
        #endif
        context.fireChannelReadComplete()
    }

    func flush(context: ChannelHandlerContext) {
        acknowledgement.flushed()
        context.flush()
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

/// Whether a read must be acknowledged at once. Servers commonly run with Nagle's algorithm on
/// (Prosody does): a small element of theirs we do not answer with data (the `<a/>` to our ack
/// request, a presence) would otherwise wait for our delayed ACK, up to 40 ms, and hold back
/// every stanza queued behind it. Asking for the ACK costs a system call and a packet of its
/// own, so it is skipped when handling the read already wrote (a ping answered where it was
/// read): that data carried the ACK. An answer still to come (a command's) is not counted on:
/// a slow one would leave the server's next stanzas waiting.
struct ReadAcknowledgement {
    private var reading = false
    private var wroteWhileReading = false

    /// Something was read: the first call after a completed read starts a new one.
    mutating func read() {
        if !reading {
            reading = true
            wroteWhileReading = false
        }
    }

    mutating func flushed() {
        if reading { wroteWhileReading = true }
    }

    /// The read is over: true when the kernel must be asked to ACK it now.
    mutating func readComplete() -> Bool {
        defer { reading = false }
        return !(reading && wroteWhileReading)
    }
}
