import XMPPCore

/// The XMPP stream parser (`XMLStreamParser`), fed in random chunks.
///
/// Input: one byte for the number of split points (0–7), two bytes for each, one byte of
/// flags (bit 0: put a client stream header first, so mutations go into stanzas), then the
/// stream. Properties: the chunked feed gives the same events as one feed, or the same stream
/// error where both fail (libxml2 may meet an error earlier or later depending on where a
/// chunk ends, so one of them failing alone, or with not-well-formed, is not a fault); `reset()` starts over cleanly;
/// every element read, written out with the serializer and read again, is the same element,
/// and its counted size is the size of its text.
///
/// Written against the public API only: `feed` returning `[StreamEvent]` and `reset`, with
/// events other than `.element` compared as values, so new kinds of event keep it compiling.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXMLStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let splitCount = input.int(in: 0...7)
    let splits = (0..<splitCount).map { _ in input.int(in: 0...65_535) }
    let withHeader = input.bool()
    var stream = withHeader ? Array(StreamHeader(to: "example.org").opening.utf8) : []
    stream += input.rest()
    let points = Set(splits.map { stream.isEmpty ? 0 : $0 % (stream.count + 1) }).sorted()
    var chunks: [ArraySlice<UInt8>] = []
    var start = 0
    for point in points + [stream.count] where point >= start {
        chunks.append(stream[start..<point])
        start = point
    }

    let parser = XMLStreamParser()
    let whole = StreamRun(parser, [stream[...]])
    let chunked = StreamRun(XMLStreamParser(), chunks)
    // Where a chunk ends decides how far libxml2 reads before it waits for more (the end of a
    // tag, the next '<'), so one run may already have met an error the other has not reached,
    // and of two faults close together (bad UTF-8 inside an unfinished comment) either may be
    // reported first as not-well-formed. Otherwise both name the same stream error.
    if let failure = chunked.failure, let wholeFailure = whole.failure,
       failure.condition != .notWellFormed, wholeFailure.condition != .notWellFormed {
        require(wholeFailure.condition == failure.condition, "chunks \(points) end the stream with \(failure), one feed with \(wholeFailure)")
    }
    if whole.failure == nil, chunked.failure == nil {
        require(whole.events == chunked.events, "chunks \(points) give other events")
    }
    parser.reset()
    let again = StreamRun(parser, [stream[...]])
    require(again.events == whole.events && again.failure == whole.failure, "after reset() the same stream reads differently")

    let namespace = whole.events.lazy.compactMap { event -> String? in
        if case .opened(let header) = event { header.contentNamespace } else { nil }
    }.first ?? ""
    for case .element(let element) in whole.events where declaresItsPrefixes(element, declared: ["xml", "xmlns"]) {
        let serialized = element.serialized(inheritedNamespace: namespace)
        require(element.serializedByteCount(inheritedNamespace: namespace) == serialized.utf8.count,
                "the byte count of an element differs from its text:\n\(serialized)")
        let written = StreamHeader(contentNamespace: namespace).opening + serialized
        let reread = StreamRun(XMLStreamParser(), [Array(written.utf8)[...]])
        let elements = reread.events.compactMap { event -> XMLElement? in if case .element(let found) = event { found } else { nil } }
        require(reread.failure == nil && elements == [element],
                "an element written out reads back differently:\n\(written)\n\(String(describing: reread.failure))")
    }
    return 0
}

/// Everything one parser makes of a sequence of chunks.
private struct StreamRun {
    var events: [StreamEvent] = []
    var failure: StreamParseError?

    init(_ parser: XMLStreamParser, _ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks {
            do {
                events += try parser.feed(chunk)
            } catch {
                failure = error
                return
            }
        }
    }
}

/// Whether every prefix the element's attributes use is declared inside it: prefixes declared
/// on the stream header stay behind when one element is written out alone.
private func declaresItsPrefixes(_ element: XMLElement, declared: Set<String>) -> Bool {
    var known = declared
    for attribute in element.attributes where attribute.name.hasPrefix("xmlns:") {
        known.insert(String(attribute.name.dropFirst("xmlns:".count)))
    }
    for attribute in element.attributes {
        guard let colon = attribute.name.firstIndex(of: ":") else { continue }
        if !known.contains(String(attribute.name[..<colon])) { return false }
    }
    return element.elements.allSatisfy { declaresItsPrefixes($0, declared: known) }
}
