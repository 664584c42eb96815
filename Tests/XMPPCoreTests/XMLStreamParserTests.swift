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

    @Test func enforcesTheSizeLimit() {
        let limits = XMLStreamParser.Limits(maximumElementBytes: 10_000, maximumDepth: 32)
        let small = "<message><body>" + String(repeating: "a", count: 5_000) + "</body></message>"
        #expect(parse(Self.header + small + small + small, limits: limits).error == nil)
        let big = "<message><body>" + String(repeating: "a", count: 20_000) + "</body></message>"
        for chunkSize in [1, 1000, .max] {
            let (_, error) = parse(Self.header + big, chunkSize: chunkSize, limits: limits)
            #expect(error?.condition == .policyViolation)
        }
        // A huge attribute value is buffered by libxml2 before any callback: still caught.
        let attribute = "<message id='" + String(repeating: "b", count: 50_000) + "'/>"
        #expect(parse(Self.header + attribute, limits: limits).error?.condition == .policyViolation)
    }

    @Test func enforcesTheDepthLimit() {
        let limits = XMLStreamParser.Limits(maximumElementBytes: 262_144, maximumDepth: 4)
        let ok = "<a><b><c><d/></c></b></a>"
        let deep = "<a><b><c><d><e/></d></c></b></a>"
        #expect(parse(Self.header + ok, limits: limits).error == nil)
        #expect(parse(Self.header + deep, limits: limits).error?.condition == .policyViolation)
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
}
