import Testing
@testable import XMPPCore

@Suite struct XMLElementTests {
    @Test func serializesWithNamespacesOnlyWhereTheyChange() {
        var iq = XMLElement("iq", namespace: "jabber:client", ["type": "get", "id": "1", "to": nil])
        iq.append(XMLElement("query", namespace: "jabber:iq:roster"))
        #expect(iq.serialized(inheritedNamespace: "jabber:client") == "<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq>")
        #expect(iq.serialized() == "<iq xmlns='jabber:client' type='get' id='1'><query xmlns='jabber:iq:roster'/></iq>")
    }

    @Test func escapesTextAndAttributes() {
        let element = XMLElement("body", namespace: "", ["a": "x'y\"z<&>\n\t"], children: [.text("1 < 2 & 3 > 2 ]]> 'q' \"d\"\r")])
        #expect(element.serialized() == "<body a='x&apos;y&quot;z&lt;&amp;&gt;&#10;&#9;'>1 &lt; 2 &amp; 3 &gt; 2 ]]&gt; 'q' \"d\"&#13;</body>")
    }

    @Test func replacesCharactersXMLCannotCarry() {
        let element = XMLElement("body", text: "bell\u{7} esc\u{1B}[0m nul\u{0} ok\u{FFFE}\u{FFFD}é😀")
        #expect(element.serialized() == "<body>bell\u{FFFD} esc\u{FFFD}[0m nul\u{FFFD} ok\u{FFFD}\u{FFFD}é😀</body>")
    }

    @Test func attributeSubscriptSetsReplacesAndRemoves() {
        var element = XMLElement("x")
        element[attribute: "a"] = "1"
        element[attribute: "b"] = "2"
        element[attribute: "a"] = "3"
        #expect(element.attributes == [XMLAttribute("a", "3"), XMLAttribute("b", "2")])
        element[attribute: "a"] = nil
        #expect(element.attributes == [XMLAttribute("b", "2")])
    }

    @Test func findsChildrenAndText() {
        var element = XMLElement("message", namespace: "jabber:client")
        element.append(text: "a")
        element.append(text: "b")
        element.append(XMLElement("body", namespace: "jabber:client", text: "hi"))
        element.append(XMLElement("x", namespace: "urn:a"))
        element.append(XMLElement("x", namespace: "urn:b"))
        #expect(element.text == "ab")
        #expect(element.children.count == 4)
        #expect(element.childText("body") == "hi")
        #expect(element.child("x", namespace: "urn:b") != nil)
        #expect(element.children("x").count == 2)
        #expect(element.child("missing") == nil)
    }

    @Test func streamHeaderOpensAClientStream() {
        let header = StreamHeader(from: "bot@example.org", to: "example.org", language: "en")
        #expect(header.opening == "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='bot@example.org' to='example.org' version='1.0' xml:lang='en'>")
    }

    @Test func stanzaErrorsRoundTrip() {
        let error = StanzaError(.badRequest, text: "nope", applicationCondition: XMLElement("bad-sessionid", namespace: "http://jabber.org/protocol/commands"))
        let parsed = StanzaError(element: error.element)
        #expect(parsed == error)
        #expect(error.type == .modify)
        #expect(StanzaError(.forbidden).type == .auth)
    }

    @Test func iqAnswersGoBackToTheSender() throws {
        let request = IQ(element: XMLElement("iq", namespace: StreamNamespace.client, ["type": "get", "id": "7", "from": "a@b/c"], children: [.element(XMLElement("query", namespace: "urn:x"))]))
        let result = request.result()
        #expect(result.kind == .result)
        #expect(result.id == "7")
        #expect(result.to == (try JID("a@b/c")))
        let error = request.error(StanzaError(.serviceUnavailable))
        #expect(error.kind == .error)
        #expect(error.error?.condition == .serviceUnavailable)
        #expect(error.error?.type == .cancel)
        // The request's payload is never echoed (RFC 6120 §8.3.1 makes it optional).
        #expect(error.element.elements.map(\.name) == ["error"])
    }

    @Test func errorTextsAreCutToAFewHundredBytes() {
        let node = String(repeating: "n&", count: 70_000)
        let request = IQ(element: XMLElement("iq", namespace: StreamNamespace.client, ["type": "get", "id": "big", "from": "s@x/y"], children: [
            .element(XMLElement("query", namespace: DiscoNamespace.info, ["node": node])),
        ]))
        let answer = request.error(StanzaError(.itemNotFound, text: "no command '\(node)'"))
        let written = answer.element.serialized(inheritedNamespace: StreamNamespace.client)
        #expect(written.utf8.count < 1_024, "\(written.utf8.count) bytes")
        #expect(answer.error?.text?.hasSuffix("…") == true)
        #expect(StanzaError(.badRequest, text: "short").element.childText("text") == "short")
    }

    @Test func streamErrorsReadAndWrite() {
        let error = StreamError(.policyViolation, text: "too big")
        #expect(StreamError(element: error.element) == error)
        #expect(error.element.serialized() == "<error xmlns='http://etherx.jabber.org/streams'><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>too big</text></error>")
        // On the wire it carries the stream prefix.
        #expect(error.serialized == "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>too big</text></stream:error>")
        let redirect = StreamError(element: XMLElement("error", namespace: StreamNamespace.stream, children: [
            .element(XMLElement("see-other-host", namespace: StreamNamespace.streamErrors, text: "[2001:db8::1]:5222")),
        ]))
        #expect(redirect.condition == .seeOtherHost)
        #expect(redirect.conditionText == "[2001:db8::1]:5222")
    }
}
