import Logging
import NIOCore
import Synchronization
import XMPPCore

/// What the client writes on the stream.
public enum StreamOutput: Sendable {
    case open(StreamHeader)
    case element(XMLElement)
    case close
}

/// Turns bytes into stream events with `XMLStreamParser`, and stream output into bytes.
///
/// Lives in the pipeline below the TLS handler's plaintext side. A `RestartParser` outbound
/// user event resets the parser between reads: the only safe point for libxml2, and the order
/// the stream restarts after STARTTLS and SASL need.
final class XMLStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = StreamEvent
    typealias OutboundIn = StreamOutput
    typealias OutboundOut = ByteBuffer

    struct RestartParser: Sendable {}

    /// Holds stanzas to this budget from now on (sent when a stream's features arrive).
    struct UseBudget: Sendable {
        var budget: OutgoingBudget
    }

    private let parser: XMLStreamParser
    private var failed = false
    private var budget = OutgoingBudget()
    private let logger: Logger

    init(limits: XMLStreamParser.Limits, logger: Logger) {
        parser = XMLStreamParser(limits: limits)
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        do {
            let events = try buffer.withUnsafeReadableBytes { bytes in try parser.feed(bytes) }
            for event in events { context.fireChannelRead(wrapInboundOut(event)) }
        } catch {
            failed = true
            context.fireErrorCaught(error)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let text: String
        switch unwrapOutboundIn(data) {
        case .open(let header): text = header.opening
        case .element(let element):
            var written = element.serialized(inheritedNamespace: StreamNamespace.client)
            switch budget.verdict(for: element, size: written.utf8.count) {
            case .fits:
                break
            case .replace(let replacement):
                logger.warning("an answer is over the stream's size limit: sending a small error instead", metadata: [
                    "to": "\(element[attribute: "to"] ?? "")", "bytes": "\(written.utf8.count)", "limit": "\(budget.maximumBytes)",
                ])
                written = replacement.serialized(inheritedNamespace: StreamNamespace.client)
            case .drop(let reason):
                logger.warning("dropped an outgoing stanza: \(reason)")
                promise?.fail(ConnectionError.stanzaTooLarge(reason))
                return
            }
            text = written
        case .close: text = StreamHeader.closing
        }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is RestartParser {
            parser.reset()
            failed = false
            promise?.succeed(())
        } else if let event = event as? UseBudget {
            budget = event.budget
            promise?.succeed(())
        } else {
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }
}

/// The first error a connection met (a TLS handshake failure, malformed XML), kept so that a
/// write failing afterwards ("I/O on closed channel") reports the cause, not the symptom.
final class TransportFailure: Sendable {
    private let error = Mutex<(any Error)?>(nil)

    func record(_ newError: any Error) {
        error.withLock { if $0 == nil { $0 = newError } }
    }

    var first: (any Error)? { error.withLock { $0 } }
}

/// Hands stream events to an async sequence; ends it with the error or at connection close.
final class StreamEventForwarder: ChannelInboundHandler {
    typealias InboundIn = StreamEvent

    private let continuation: AsyncThrowingStream<StreamEvent, any Error>.Continuation
    private let failure: TransportFailure

    init(continuation: AsyncThrowingStream<StreamEvent, any Error>.Continuation, failure: TransportFailure) {
        self.continuation = continuation
        self.failure = failure
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failure.record(error)
        continuation.finish(throwing: error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }
}
