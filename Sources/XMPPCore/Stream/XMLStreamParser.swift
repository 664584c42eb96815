import CLibXML2

/// Why the incoming stream cannot be read further; `condition` is the stream error to answer with.
public struct StreamParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var condition: StreamErrorCondition
    public var detail: String

    public init(_ condition: StreamErrorCondition, _ detail: String) {
        self.condition = condition
        self.detail = detail
    }

    public var description: String { "\(condition.rawValue): \(detail)" }
}

/// An incremental reader of an XMPP stream on libxml2's push parser.
///
/// Feed it bytes as they arrive, in chunks of any size (a single byte works); it returns the
/// stream header, then each complete top-level element (a stanza, `<stream:features>`, SASL and
/// TLS elements), then `.closed` at `</stream:stream>`. It refuses what RFC 6120 §11 forbids:
/// DOCTYPE, entity declarations and references beyond the five predefined entities, processing
/// instructions and comments; those end the stream.
///
/// A top-level element over the size or depth limit does not: anyone on the federation can send
/// one, so it is skipped alone. The parser stops building its tree at the limit (memory stays
/// bounded), reads on to its end, and returns `.skipped` with what is needed to answer it.
///
/// Not thread-safe: own it from one thread or event loop. After an error the parser stays
/// failed until `reset()`.
public final class XMLStreamParser {
    public struct Limits: Sendable, Equatable {
        /// The most bytes one top-level element may take on the wire, start tag included.
        /// Servers relay up to 512 KiB from other servers (Prosody's s2s limit) and add a little
        /// when they rewrite a stanza for us; the default leaves room for that.
        public var maximumElementBytes: Int
        /// The deepest nesting inside one top-level element; the element itself is depth 1.
        public var maximumDepth: Int

        public init(maximumElementBytes: Int = 655_360, maximumDepth: Int = 128) {
            self.maximumElementBytes = maximumElementBytes
            self.maximumDepth = maximumDepth
        }
    }

    public let limits: Limits
    private let builder: StreamTreeBuilder
    private var context: xmlParserCtxtPtr?
    private var failure: StreamParseError?

    /// Bytes fed are handed to libxml2 in slices of this size, so a start tag still arriving is
    /// measured between slices.
    private static let sliceSize = 4096

    public init(limits: Limits = Limits()) {
        _ = XMLStreamParser.libraryInitialised
        self.limits = limits
        self.builder = StreamTreeBuilder(limits: limits)
        self.context = makeContext()
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    /// Starts over for a new stream (after STARTTLS or SASL success). Never call it from inside
    /// `feed`: the caller resets between chunks, which is the only safe point for libxml2.
    public func reset() {
        if let context { xmlFreeParserCtxt(context) }
        builder.reset()
        failure = nil
        context = makeContext()
    }

    /// Parses the next bytes of the stream and returns the events they complete.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(StreamParseError) -> [StreamEvent] {
        if let failure { throw failure }
        guard let context, let base = bytes.baseAddress else {
            if context == nil { throw StreamParseError(.internalServerError, "the XML parser could not be created") }
            return []
        }
        var events: [StreamEvent] = []
        var offset = 0
        while offset < bytes.count, !builder.streamClosed {
            let length = min(XMLStreamParser.sliceSize, bytes.count - offset)
            let slice = base.advanced(by: offset).assumingMemoryBound(to: CChar.self)
            builder.bytesFed(length)
            let status = xmlParseChunk(context, slice, Int32(length), 0)
            // Usually one slice: its events are handed over without a copy.
            if events.isEmpty { events = builder.takeEvents() } else { events.append(contentsOf: builder.takeEvents()) }
            if let error = builder.error ?? (status != 0 ? StreamParseError(.notWellFormed, "libxml2 status \(status)") : nil) {
                // The stream ends here: anything completed in this chunk cannot be answered anyway.
                failure = error
                throw error
            }
            // Content libxml2 still buffers (a long start tag or text) is measured here.
            builder.checkSizeBetweenChunks()
            offset += length
        }
        return events
    }

    /// Elements held for the top-level element being read: how tests see that a skipped one
    /// is not built.
    var retainedElementCount: Int { builder.retainedElementCount }

    public func feed(_ bytes: some Sequence<UInt8>) throws(StreamParseError) -> [StreamEvent] {
        let array = Array(bytes)
        do {
            return try array.withUnsafeBytes { buffer in try feed(buffer) }
        } catch let error as StreamParseError {
            throw error
        } catch {
            throw StreamParseError(.internalServerError, "\(error)")
        }
    }

    public func feed(_ text: String) throws(StreamParseError) -> [StreamEvent] {
        try feed(Array(text.utf8))
    }

    private static let libraryInitialised: Void = xmlInitParser()

    private func makeContext() -> xmlParserCtxtPtr? {
        var handler = StreamTreeBuilder.saxHandler()
        let userData = Unmanaged.passUnretained(builder).toOpaque()
        guard let context = xmlCreatePushParserCtxt(&handler, userData, nil, 0, nil) else { return nil }
        // NOENT: decode the predefined entities in attribute values (without it libxml2 passes
        // `&amp;` through as `&#38;`). No other entity can be declared: DOCTYPE is refused.
        // NONET: never fetch anything. No HUGE: keep libxml2's own size limits as a backstop.
        let options = Int32(XML_PARSE_NOENT.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)
        xmlCtxtUseOptions(context, options)
        builder.context = context
        return context
    }
}
