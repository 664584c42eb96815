import NIOCore
import XMPPCore

/// Turns bytes into stream events with `XMLStreamParser`. Writes pass by untouched: the
/// session serializes what it sends itself.
///
/// Lives in the pipeline above the TLS handler's plaintext side. `restart()` resets the parser
/// between reads (the only safe point for libxml2), as the stream restarts after STARTTLS and
/// SASL need.
final class XMLStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = StreamEvent

    private let parser: XMLStreamParser
    private var failed = false
    /// Counts restarts, so the events of a read that a restart made stale are not handed on.
    private var generation = 0

    init(limits: XMLStreamParser.Limits) {
        parser = XMLStreamParser(limits: limits)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        do {
            let events = try buffer.withUnsafeReadableBytes { bytes in try parser.feed(bytes) }
            let current = generation
            for event in events where generation == current {
                context.fireChannelRead(wrapInboundOut(event))
            }
        } catch {
            failed = true
            context.fireErrorCaught(error)
        }
    }

    /// Forgets the old stream. Called on the event loop while events are handed on, that is
    /// after `feed` returned, never inside it.
    func restart() {
        parser.reset()
        failed = false
        generation += 1
    }
}
