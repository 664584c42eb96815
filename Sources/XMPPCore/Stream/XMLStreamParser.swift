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
/// instructions and comments; and it bounds each top-level element's size and depth.
///
/// Not thread-safe: own it from one thread or event loop. After an error the parser stays
/// failed until `reset()`.
public final class XMLStreamParser {
    public struct Limits: Sendable {
        /// The most bytes one top-level element may take on the wire (counted to within one
        /// feed slice of 4 KiB).
        public var maximumElementBytes: Int
        /// The deepest nesting inside one top-level element; the element itself is depth 1.
        public var maximumDepth: Int

        public init(maximumElementBytes: Int = 262_144, maximumDepth: Int = 32) {
            self.maximumElementBytes = maximumElementBytes
            self.maximumDepth = maximumDepth
        }
    }

    public let limits: Limits
    private let builder: StreamTreeBuilder
    private var context: xmlParserCtxtPtr?
    private var failure: StreamParseError?

    /// Bytes fed are handed to libxml2 in slices of this size, so limits are checked between.
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
            events.append(contentsOf: builder.takeEvents())
            if let error = builder.error ?? (status != 0 ? StreamParseError(.notWellFormed, "libxml2 status \(status)") : nil) {
                // The stream ends here: anything completed in this chunk cannot be answered anyway.
                failure = error
                throw error
            }
            if builder.elementBytes > limits.maximumElementBytes {
                let error = StreamParseError(
                    .policyViolation,
                    "a stanza exceeded \(limits.maximumElementBytes) bytes")
                failure = error
                throw error
            }
            offset += length
        }
        return events
    }

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

/// Receives libxml2's SAX callbacks and assembles top-level elements. A class so libxml2 can
/// hold a stable pointer to it as user data.
final class StreamTreeBuilder {
    let limits: XMLStreamParser.Limits
    var context: xmlParserCtxtPtr?
    private(set) var error: StreamParseError?
    private(set) var streamClosed = false
    /// Bytes fed since the current top-level element began (0 between elements).
    private(set) var elementBytes = 0
    private var depth = 0
    private var stack: [XMLElement] = []
    private var events: [StreamEvent] = []

    init(limits: XMLStreamParser.Limits) {
        self.limits = limits
    }

    func reset() {
        error = nil
        streamClosed = false
        elementBytes = 0
        depth = 0
        stack.removeAll()
        events.removeAll()
    }

    func takeEvents() -> [StreamEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    func bytesFed(_ count: Int) {
        if depth >= 1 { elementBytes += count }
    }

    func fail(_ condition: StreamErrorCondition, _ detail: String) {
        if error == nil { error = StreamParseError(condition, detail) }
        if let context { xmlStopParser(context) }
    }

    // MARK: Element events

    func startElement(name: String, prefix: String?, namespace: String, declarations: [XMLAttribute], attributes: [XMLAttribute]) {
        guard error == nil else { return }
        if depth == 0 {
            openStream(name: name, namespace: namespace, declarations: declarations, attributes: attributes)
            return
        }
        if depth > limits.maximumDepth {
            fail(.policyViolation, "elements nested deeper than \(limits.maximumDepth)")
            return
        }
        if depth == 1 { elementBytes = 0 }
        // Prefixed declarations stay as attributes so the tree can be written out again.
        let kept = declarations.filter { $0.name != "xmlns" } + attributes
        stack.append(XMLElement(name, namespace: namespace, attributes: kept))
        depth += 1
    }

    func endElement() {
        guard error == nil else { return }
        depth -= 1
        if depth == 0 {
            streamClosed = true
            events.append(.closed)
            return
        }
        guard let finished = stack.popLast() else { return }
        if stack.isEmpty {
            events.append(.element(finished))
            elementBytes = 0
        } else {
            stack[stack.count - 1].children.append(.element(finished))
        }
    }

    func characters(_ text: String) {
        guard error == nil, !stack.isEmpty else { return }
        stack[stack.count - 1].append(text: text)
    }

    private func openStream(name: String, namespace: String, declarations: [XMLAttribute], attributes: [XMLAttribute]) {
        guard name == "stream" else {
            fail(.badFormat, "the stream starts with <\(name)>, not <stream:stream>")
            return
        }
        guard namespace == StreamNamespace.stream else {
            fail(.invalidNamespace, "the stream element is in namespace '\(namespace)'")
            return
        }
        if let encoding = declaredEncoding(), encoding.lowercased() != "utf-8" {
            fail(.unsupportedEncoding, "the stream is declared as \(encoding); XMPP streams are UTF-8")
            return
        }
        var header = StreamHeader(version: nil, contentNamespace: "")
        for declaration in declarations where declaration.name == "xmlns" {
            header.contentNamespace = declaration.value
        }
        for attribute in attributes {
            switch attribute.name {
            case "from": header.from = attribute.value
            case "to": header.to = attribute.value
            case "id": header.id = attribute.value
            case "version": header.version = attribute.value
            case "xml:lang": header.language = attribute.value
            default: break
            }
        }
        depth = 1
        events.append(.opened(header))
    }

    private func declaredEncoding() -> String? {
        guard let encoding = context?.pointee.encoding else { return nil }
        return String(cString: encoding)
    }

    // MARK: libxml2 glue

    static func from(_ pointer: UnsafeMutableRawPointer?) -> StreamTreeBuilder? {
        guard let pointer else { return nil }
        return Unmanaged<StreamTreeBuilder>.fromOpaque(pointer).takeUnretainedValue()
    }

    static func saxHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, localName, prefix, uri, namespaceCount, namespaces, attributeCount, _, attributes in
            guard let builder = StreamTreeBuilder.from(context), let localName else { return }
            var declarations: [XMLAttribute] = []
            if let namespaces {
                for index in 0..<Int(namespaceCount) {
                    let declaredPrefix = namespaces[index * 2].map { String(cString: $0) }
                    let value = namespaces[index * 2 + 1].map { String(cString: $0) } ?? ""
                    declarations.append(XMLAttribute(declaredPrefix.map { "xmlns:\($0)" } ?? "xmlns", value))
                }
            }
            var parsedAttributes: [XMLAttribute] = []
            if let attributes {
                parsedAttributes.reserveCapacity(Int(attributeCount))
                for index in 0..<Int(attributeCount) {
                    let base = index * 5
                    guard let name = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4]
                    else { continue }
                    let attributeName = attributes[base + 1].map { "\(String(cString: $0)):\(String(cString: name))" }
                        ?? String(cString: name)
                    let value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
                    parsedAttributes.append(XMLAttribute(attributeName, value))
                }
            }
            builder.startElement(
                name: String(cString: localName),
                prefix: prefix.map { String(cString: $0) },
                namespace: uri.map { String(cString: $0) } ?? "",
                declarations: declarations,
                attributes: parsedAttributes)
        }
        handler.endElementNs = { context, _, _, _ in
            StreamTreeBuilder.from(context)?.endElement()
        }
        let characters: charactersSAXFunc = { context, bytes, length in
            guard let builder = StreamTreeBuilder.from(context), let bytes, length > 0 else { return }
            builder.characters(String(decoding: UnsafeBufferPointer(start: bytes, count: Int(length)), as: UTF8.self))
        }
        handler.characters = characters
        handler.ignorableWhitespace = characters
        handler.cdataBlock = characters
        handler.comment = { context, _ in
            StreamTreeBuilder.from(context)?.fail(.restrictedXML, "comments are not allowed in XMPP streams")
        }
        handler.processingInstruction = { context, target, _ in
            let name = target.map { String(cString: $0) } ?? ""
            StreamTreeBuilder.from(context)?.fail(.restrictedXML, "processing instruction <?\(name)?> is not allowed")
        }
        handler.internalSubset = { context, _, _, _ in
            StreamTreeBuilder.from(context)?.fail(.restrictedXML, "a DOCTYPE is not allowed in XMPP streams")
        }
        handler.externalSubset = { context, _, _, _ in
            StreamTreeBuilder.from(context)?.fail(.restrictedXML, "a DOCTYPE is not allowed in XMPP streams")
        }
        handler.entityDecl = { context, _, _, _, _, _ in
            StreamTreeBuilder.from(context)?.fail(.restrictedXML, "entity declarations are not allowed")
        }
        handler.serror = { context, error in
            guard let builder = StreamTreeBuilder.from(context), let error else { return }
            // Warnings (for example an unknown XML version) are not faults of the stream.
            guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            builder.fail(StreamTreeBuilder.condition(forLibXMLCode: error.pointee.code), StreamTreeBuilder.message(error))
        }
        return handler
    }

    static func condition(forLibXMLCode code: Int32) -> StreamErrorCondition {
        switch xmlParserErrors(rawValue: UInt32(code)) {
        case XML_ERR_UNDECLARED_ENTITY, XML_WAR_UNDECLARED_ENTITY,
             XML_ERR_ENTITY_LOOP, XML_ERR_ENTITY_BOUNDARY, XML_ERR_ENTITYREF_NO_NAME, XML_ERR_PEREF_AT_EOF,
             XML_ERR_PEREF_IN_PROLOG, XML_ERR_PEREF_IN_EPILOG, XML_ERR_PEREF_IN_INT_SUBSET,
             XML_ERR_DOCTYPE_NOT_FINISHED, XML_ERR_PI_NOT_STARTED, XML_ERR_PI_NOT_FINISHED,
             XML_ERR_COMMENT_NOT_FINISHED:
            .restrictedXML
        case XML_ERR_UNSUPPORTED_ENCODING, XML_ERR_INVALID_ENCODING, XML_ERR_UNKNOWN_ENCODING:
            .unsupportedEncoding
        case XML_NS_ERR_UNDEFINED_NAMESPACE, XML_NS_ERR_QNAME:
            .badNamespacePrefix
        case XML_ERR_NO_MEMORY:
            .resourceConstraint
        default:
            .notWellFormed
        }
    }

    static func message(_ error: UnsafePointer<xmlError>) -> String {
        var text = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
        while text.last?.isNewline == true { text.removeLast() }
        return "\(text) (line \(error.pointee.line), column \(error.pointee.int2))"
    }
}
