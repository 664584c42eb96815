import Testing
@testable import XMPPCore

@Suite struct XMLStreamParserTests {
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        + "xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='s1' version='1.0' xml:lang='en'>"

    /// Feeds `text` and returns every event, or the error that ended the stream.
    func parse(_ text: String, chunkSize: Int = .max, limits: XMLStreamParser.Limits = .init()) -> (events: [StreamEvent], error: StreamParseError?) {
        let parser = XMLStreamParser(limits: limits)
        let bytes = Array(text.utf8)
        var events: [StreamEvent] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunkSize)
            do {
                events += try parser.feed(bytes[offset..<end])
            } catch {
                return (events, error)
            }
            offset = end
        }
        return (events, nil)
    }

    @Test func readsHeaderStanzasAndClose() throws {
        let text = Self.header + "<message to='a@b' type='chat'><body>hi &amp; &lt;bye&gt;</body></message>"
            + "<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq></stream:stream>"
        let (events, error) = parse(text)
        #expect(error == nil)
        #expect(events.count == 4)
        guard case .opened(let header) = events[0] else { Issue.record("no header"); return }
        #expect(header.from == "example.org")
        #expect(header.id == "s1")
        #expect(header.version == "1.0")
        #expect(header.language == "en")
        #expect(header.contentNamespace == "jabber:client")
        guard case .element(let message) = events[1] else { Issue.record("no message"); return }
        #expect(message.name == "message")
        #expect(message.namespace == "jabber:client")
        #expect(message[attribute: "to"] == "a@b")
        #expect(message.childText("body") == "hi & <bye>")
        guard case .element(let iq) = events[2] else { Issue.record("no iq"); return }
        #expect(iq.child("query")?.namespace == "jabber:iq:roster")
        #expect(events[3] == .closed)
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func anyChunkingGivesTheSameEvents(chunkSize: Int) {
        let text = Self.header + "<presence><status>élan — ☃ 𝄞</status><c xmlns='http://jabber.org/protocol/caps' ver='x'/></presence>"
            + " <iq type='result' id='a&amp;b'/>\n</stream:stream>"
        let whole = parse(text)
        let chunked = parse(text, chunkSize: chunkSize)
        #expect(whole.error == nil)
        #expect(chunked.error == nil)
        #expect(chunked.events == whole.events)
        #expect(whole.events.count == 4)
    }

    @Test func decodesEntitiesInAttributes() throws {
        let (events, error) = parse(Self.header + "<iq id='a&amp;b&apos;&quot;&lt;&gt;&#65;'/>")
        #expect(error == nil)
        guard case .element(let iq) = events.last else { Issue.record("no iq"); return }
        #expect(iq[attribute: "id"] == "a&b'\"<>A")
    }

    @Test func keepsPrefixedNamespacesAndXMLLang() throws {
        let (events, _) = parse(Self.header + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
            + "<message xml:lang='fr' xmlns:p='urn:x'><p:data p:kind='k'/></message>")
        guard case .element(let features) = events[1], case .element(let message) = events[2] else {
            Issue.record("missing elements"); return
        }
        #expect(features.name == "features")
        #expect(features.namespace == StreamNamespace.stream)
        #expect(features.child("mechanisms")?.childText("mechanism") == "PLAIN")
        #expect(message[attribute: "xml:lang"] == "fr")
        let data = try #require(message.child("data"))
        #expect(data.namespace == "urn:x")
        #expect(data[attribute: "p:kind"] == "k")
    }

    @Test(arguments: [
        ("<message><!-- hi --></message>", StreamErrorCondition.restrictedXML),
        ("<!DOCTYPE stream>", .notWellFormed),
        ("<?php evil ?>", .restrictedXML),
        ("<message><?target data?></message>", .restrictedXML),
        ("<message>&nbsp;</message>", .restrictedXML),
        ("<message>&undefined;</message>", .restrictedXML),
        ("<message id='&x;'/>", .restrictedXML),
        ("<message><body>unclosed</message>", .notWellFormed),
        ("<message a='1' a='2'/>", .notWellFormed),
        ("<message><x:y/></message>", .badNamespacePrefix),
        ("<message>\u{01}</message>", .notWellFormed),
    ])
    func refusesForbiddenConstructs(input: String, condition: StreamErrorCondition) {
        let (_, error) = parse(Self.header + input)
        #expect(error?.condition == condition, "\(input): \(String(describing: error))")
    }

    @Test func refusesDoctypeBeforeTheStream() {
        let (_, error) = parse("<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY a 'b'>]>" + Self.header.dropFirst(21))
        #expect(error?.condition == .restrictedXML)
    }

    @Test func refusesBillionLaughs() {
        let laughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
         <!ENTITY lol "lol">
         <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
         <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
         <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
        ]>
        <stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><message>&lol9;</message>
        """
        for chunkSize in [1, 16, .max] {
            let (events, error) = parse(laughs, chunkSize: chunkSize)
            #expect(error?.condition == .restrictedXML)
            #expect(events.isEmpty)
        }
    }

    @Test func refusesAWrongRootElement() {
        #expect(parse("<html xmlns='jabber:client'>").error?.condition == .badFormat)
        #expect(parse("<stream:stream xmlns:stream='urn:wrong'>").error?.condition == .invalidNamespace)
    }

    @Test func refusesAnotherEncoding() {
        let (_, error) = parse("<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>")
        #expect(error?.condition == .unsupportedEncoding)
    }

    /// The elements and skip reports among `events`, in order, as short strings.
    func outline(_ events: [StreamEvent]) -> [String] {
        events.compactMap { event in
            switch event {
            case .element(let element): element.name + (element[attribute: "id"].map { "#\($0)" } ?? "")
            case .skipped(let skipped): "skipped \(skipped.name)#\(skipped.id ?? "")"
            case .opened, .closed: nil
            }
        }
    }

    @Test(arguments: [1, 1000, 4096, .max])
    func skipsAStanzaOverTheSizeLimitAloneAndKeepsTheStream(chunkSize: Int) {
        let limits = XMLStreamParser.Limits(maximumElementBytes: 10_000, maximumDepth: 32)
        let small = "<message id='s'><body>" + String(repeating: "a", count: 5_000) + "</body></message>"
        let big = "<iq type='set' id='big' from='stranger@example.net/x' to='bot@example.org/adhocd'><query xmlns='urn:x'>"
            + String(repeating: "<item>b</item>", count: 2_000) + "</query></iq>"
        let (events, error) = parse(Self.header + small + big + small + "</stream:stream>", chunkSize: chunkSize, limits: limits)
        #expect(error == nil)
        #expect(outline(events) == ["message#s", "skipped iq#big", "message#s"])
        #expect(events.last == .closed)
        guard case .skipped(let skipped) = events[2] else { Issue.record("no skip report"); return }
        #expect(skipped == SkippedStanza(
            name: "iq", namespace: "jabber:client", id: "big", type: "set", from: "stranger@example.net/x",
            to: "bot@example.org/adhocd", reason: .tooLarge(limit: 10_000)))
        #expect(skipped.isRequest)
    }

    @Test func theSizeCountsTheWholeStanzaStartTagIncluded() {
        let first = "<presence/>"
        let stanza = "<message id='m' to='a@b'><body>" + String(repeating: "x", count: 300) + "</body></message>"
        let size = stanza.utf8.count
        let fits = parse(Self.header + first + stanza, limits: .init(maximumElementBytes: size, maximumDepth: 8))
        #expect(outline(fits.events) == ["presence", "message#m"])
        let over = parse(Self.header + first + stanza, limits: .init(maximumElementBytes: size - 1, maximumDepth: 8))
        #expect(outline(over.events) == ["presence", "skipped message#m"])

        // A start tag alone past the limit: libxml2 buffers it before any callback.
        let limits = XMLStreamParser.Limits(maximumElementBytes: 10_000, maximumDepth: 32)
        let attribute = "<iq type='get' id='n'><query xmlns='http://jabber.org/protocol/disco#info' node='"
            + String(repeating: "b", count: 50_000) + "'/></iq><message id='after'/>"
        for chunkSize in [1, 4096, .max] {
            let (events, error) = parse(Self.header + attribute, chunkSize: chunkSize, limits: limits)
            #expect(error == nil)
            #expect(outline(events) == ["skipped iq#n", "message#after"], "chunk size \(chunkSize)")
        }
        let topLevelTag = "<message id='" + String(repeating: "c", count: 50_000) + "'/><message id='after'/>"
        let (events, _) = parse(Self.header + topLevelTag, limits: limits)
        // The id is longer than any id we would echo: it is dropped, not cut.
        #expect(outline(events) == ["skipped message#", "message#after"])
    }

    @Test func skipsAStanzaOverTheDepthLimitAlone() {
        let limits = XMLStreamParser.Limits(maximumElementBytes: 262_144, maximumDepth: 4)
        let ok = "<a id='1'><b><c><d/></c></b></a>"
        let deep = "<a id='2'><b><c><d><e/></d></c></b></a>"
        let (events, error) = parse(Self.header + ok + deep + ok, limits: limits)
        #expect(error == nil)
        #expect(outline(events) == ["a#1", "skipped a#2", "a#1"])
        guard case .skipped(let skipped) = events[2] else { Issue.record("no skip report"); return }
        #expect(skipped.reason == .tooDeep(limit: 4))
    }

    @Test func theDefaultsAcceptWhatServersRelay() {
        // The message from issue 10 that used to end the stream: 40 nested elements.
        let nested = "<message id='n' from='s@example.net/r'>" + String(repeating: "<x>", count: 40) + String(repeating: "</x>", count: 40) + "</message>"
        #expect(outline(parse(Self.header + nested).events) == ["message#n"])
        let deep = "<message id='d'>" + String(repeating: "<x>", count: 100) + String(repeating: "</x>", count: 100) + "</message>"
        #expect(outline(parse(Self.header + deep).events) == ["message#d"])
        let large = "<message id='l'><body>" + String(repeating: "y", count: 512 * 1024) + "</body></message>"
        #expect(outline(parse(Self.header + large, chunkSize: 65_536).events) == ["message#l"])
    }

    @Test func aSkippedStanzaIsNotBuilt() throws {
        let parser = XMLStreamParser(limits: .init(maximumElementBytes: 65_536, maximumDepth: 16))
        _ = try parser.feed(Self.header + "<message id='huge'>")
        var largest = 0
        let chunk = String(repeating: "<item a='1'>text</item>", count: 2_000)
        for _ in 0..<100 {  // about 4.6 MB in all
            #expect(try parser.feed(chunk).isEmpty)
            largest = max(largest, parser.retainedElementCount)
        }
        let events = try parser.feed("</message><presence/>")
        #expect(outline(events) == ["skipped message#huge", "presence"])
        // Bounded by the limit (about 2,850 items fit in 64 KiB), not by the 200,000 items sent.
        #expect(largest < 3_000, "\(largest) elements retained")
        #expect(parser.retainedElementCount == 0)
    }

    @Test func skipReportsCutWhatTheyCarry() {
        let longType = String(repeating: "t", count: 100)
        let longFrom = String(repeating: "f", count: 4_000)
        let element = "<iq type='\(longType)' id='i' from='\(longFrom)'><x>" + String(repeating: "<y/>", count: 20) + "</x></iq>"
        let (events, _) = parse(Self.header + element, limits: .init(maximumElementBytes: 100_000, maximumDepth: 1))
        guard case .skipped(let skipped) = events.last else { Issue.record("no skip report"); return }
        #expect(skipped.type == nil)
        #expect(skipped.from == nil)
        #expect(skipped.id == "i")
        #expect(!skipped.isRequest)
    }

    @Test func staysFailedUntilReset() throws {
        let parser = XMLStreamParser()
        #expect(throws: StreamParseError.self) { try parser.feed(Self.header + "<!-- x -->") }
        #expect(throws: StreamParseError.self) { try parser.feed("<message/>") }
        parser.reset()
        let events = try parser.feed(Self.header + "<message/>")
        #expect(events.count == 2)
    }

    @Test func resetsForAStreamRestart() throws {
        let parser = XMLStreamParser()
        var events = try parser.feed(Self.header + "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        #expect(events.count == 2)
        parser.reset()
        events = try parser.feed(Self.header + "<stream:features/>")
        #expect(events.count == 2)
        guard case .element(let features) = events[1] else { Issue.record("no features"); return }
        #expect(features.name == "features")
    }

    @Test func ignoresInputAfterTheStreamCloses() throws {
        let parser = XMLStreamParser()
        let events = try parser.feed(Self.header + "</stream:stream>")
        #expect(events.last == .closed)
        #expect(try parser.feed("garbage<").isEmpty)
    }

    @Test func roundTripsThroughTheSerializer() throws {
        let text = Self.header + "<message type='chat' to='a@b/c'><body>x &lt; y &amp; 'q' \"d\"\r\n</body>"
            + "<x xmlns='jabber:x:data' type='form'><field var='v' label='a&apos;b'><value>1</value></field></x></message>"
        let (events, error) = parse(text)
        #expect(error == nil)
        guard case .element(let message) = events[1] else { Issue.record("no message"); return }
        let written = message.serialized(inheritedNamespace: StreamNamespace.client)
        let (again, secondError) = parse(Self.header + written)
        #expect(secondError == nil)
        #expect(again[1] == .element(message))
    }

    /// Found by the xml-stream fuzz target: an element in the `xml` namespace was written with
    /// that namespace as the default one, which no reader accepts.
    @Test func anElementWithTheXMLPrefixIsWrittenWithItAndReadsBack() throws {
        let (events, error) = parse(Self.header + "<iq type='set' id='x'><query xmlns='urn:q'><xml:x a='1'><y/></xml:x></query></iq>")
        #expect(error == nil)
        guard events.count == 2, case .element(let iq) = events[1] else { Issue.record("no stanza: \(events)"); return }
        #expect(iq.child("query")?.elements.first?.namespace == StreamNamespace.xml)
        let written = iq.serialized(inheritedNamespace: StreamNamespace.client)
        #expect(written == "<iq type='set' id='x'><query xmlns='urn:q'><xml:x a='1'><y/></xml:x></query></iq>")
        let (again, againError) = parse(Self.header + written)
        #expect(againError == nil)
        #expect(again.count == 2 && again[1] == .element(iq))
    }
}
