import CLibXML2

/// Receives libxml2's SAX callbacks and assembles top-level elements. A class so libxml2 can
/// hold a stable pointer to it as user data.
///
/// Sizes are measured in stream bytes: `bytesFed` counts what was handed to libxml2, and what
/// it has not consumed yet sits between its input's `cur` and `end`, so the stream offset of
/// the parser's position is their difference. A top-level element spans from the end of the
/// one before it (or of the whitespace between) to its own end tag.
final class StreamTreeBuilder {
    let limits: XMLStreamParser.Limits
    var context: xmlParserCtxtPtr?
    private(set) var error: StreamParseError?
    private(set) var streamClosed = false
    /// 0 before the stream header, 1 inside the stream, 2 inside a top-level element, and so on.
    private var depth = 0
    private var stack: [XMLElement] = []
    private var events: [StreamEvent] = []
    /// Every byte handed to libxml2 since the last reset.
    private var bytesFed = 0
    /// Where the current (or next) top-level element starts, as a stream offset.
    private var elementStart = 0
    /// The current top-level element's start tag, kept small, for a skip report.
    private var topLevel: (name: String, namespace: String, attributes: [XMLAttribute])?
    /// Set while the current top-level element is read past without a tree.
    private var skipReason: SkippedStanza.Reason?

    init(limits: XMLStreamParser.Limits) {
        self.limits = limits
    }

    func reset() {
        error = nil
        streamClosed = false
        depth = 0
        stack.removeAll()
        events.removeAll()
        bytesFed = 0
        elementStart = 0
        topLevel = nil
        skipReason = nil
    }

    /// The events completed since the last call. The array is handed over, not copied: keeping
    /// its capacity here would only make the next append copy it.
    func takeEvents() -> [StreamEvent] {
        defer { events = [] }
        return events
    }

    func bytesFed(_ count: Int) {
        bytesFed += count
    }

    func fail(_ condition: StreamErrorCondition, _ detail: String) {
        if error == nil { error = StreamParseError(condition, detail) }
        if let context { xmlStopParser(context) }
    }

    /// The stream offset libxml2 has read up to.
    private var position: Int {
        guard let input = context?.pointee.input, let current = input.pointee.cur, let end = input.pointee.end else { return bytesFed }
        return bytesFed - (end - current)
    }

    /// Between slices of input: a top-level element (or a start tag libxml2 still buffers)
    /// that has grown past the limit is skipped from here on.
    func checkSizeBetweenChunks() {
        guard error == nil, depth >= 1, skipReason == nil, bytesFed - elementStart > limits.maximumElementBytes else { return }
        // Before its start tag is complete, the skip begins at the start tag's callback.
        if depth >= 2 { startSkipping(.tooLarge(limit: limits.maximumElementBytes)) }
    }

    private func startSkipping(_ reason: SkippedStanza.Reason) {
        skipReason = reason
        stack.removeAll()
        // Only what a skip report reads stays held while the rest is read past.
        topLevel?.attributes.removeAll { !SkippedStanza.isAddressing($0.name) }
    }

    var retainedElementCount: Int {
        func count(_ element: XMLElement) -> Int { 1 + element.elements.reduce(0) { $0 + count($1) } }
        return stack.reduce(0) { $0 + count($1) }
    }

    private var currentElementIsTooLarge: Bool {
        position - elementStart > limits.maximumElementBytes
    }

    // MARK: Element events

    /// `attributes` holds the prefixed namespace declarations first (`xmlns:p`, kept so the tree
    /// can be written out again), then the attributes; the default one (`xmlns`) is apart.
    func startElement(name: String, namespace: String, defaultNamespaceDeclaration: String?, attributes: [XMLAttribute]) {
        guard error == nil else { return }
        if depth == 0 {
            openStream(name: name, namespace: namespace, defaultNamespaceDeclaration: defaultNamespaceDeclaration, attributes: attributes)
            return
        }
        if depth == 1 {
            // Shares the element's attribute storage; trimmed if the element is skipped.
            topLevel = (name, namespace, attributes)
        }
        depth += 1
        if skipReason != nil { return }
        if depth - 1 > limits.maximumDepth {
            startSkipping(.tooDeep(limit: limits.maximumDepth))
            return
        }
        if currentElementIsTooLarge {
            startSkipping(.tooLarge(limit: limits.maximumElementBytes))
            return
        }
        stack.append(XMLElement(name, namespace: namespace, attributes: attributes))
    }

    func endElement() {
        guard error == nil else { return }
        depth -= 1
        if depth == 0 {
            streamClosed = true
            events.append(.closed)
            return
        }
        if depth == 1 {
            finishTopLevelElement()
            return
        }
        guard skipReason == nil, let finished = stack.popLast(), !stack.isEmpty else { return }
        stack[stack.count - 1].children.append(.element(finished))
    }

    private func finishTopLevelElement() {
        defer {
            // At most `maximumDepth` elements of capacity, reused by the next stanza.
            stack.removeAll(keepingCapacity: true)
            topLevel = nil
            skipReason = nil
            elementStart = position
        }
        if skipReason == nil, currentElementIsTooLarge { skipReason = .tooLarge(limit: limits.maximumElementBytes) }
        if let skipReason {
            let start = topLevel ?? ("", "", [])
            events.append(.skipped(SkippedStanza(name: start.name, namespace: start.namespace, attributes: start.attributes, reason: skipReason)))
        } else if let finished = stack.popLast() {
            events.append(.element(finished))
        }
    }

    func characters(_ text: String) {
        guard error == nil else { return }
        if depth == 1 {
            // Whitespace between stanzas (keepalives) belongs to no element.
            elementStart = position
            return
        }
        guard skipReason == nil, !stack.isEmpty else { return }
        if currentElementIsTooLarge {
            startSkipping(.tooLarge(limit: limits.maximumElementBytes))
            return
        }
        stack[stack.count - 1].append(text: text)
    }

    private func openStream(name: String, namespace: String, defaultNamespaceDeclaration: String?, attributes: [XMLAttribute]) {
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
        var header = StreamHeader(version: nil, contentNamespace: defaultNamespaceDeclaration ?? "")
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
        elementStart = position
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
        handler.startElementNs = { context, localName, _, uri, namespaceCount, namespaces, attributeCount, _, attributes in
            guard let builder = StreamTreeBuilder.from(context), let localName else { return }
            // One array for declarations and attributes, sized once: measured with callgrind,
            // building them apart and joining them cost a fifth of the parser's Swift side.
            var parsedAttributes: [XMLAttribute] = []
            parsedAttributes.reserveCapacity(Int(namespaceCount) + Int(attributeCount))
            var defaultNamespaceDeclaration: String?
            if let namespaces {
                for index in 0..<Int(namespaceCount) {
                    let value = namespaces[index * 2 + 1].map { String(cString: $0) } ?? ""
                    if let declaredPrefix = namespaces[index * 2] {
                        parsedAttributes.append(XMLAttribute("xmlns:\(String(cString: declaredPrefix))", value))
                    } else {
                        defaultNamespaceDeclaration = value
                    }
                }
            }
            if let attributes {
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
                namespace: uri.map { String(cString: $0) } ?? "",
                defaultNamespaceDeclaration: defaultNamespaceDeclaration,
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
