import Testing
import XMPPCore

@Suite struct XMPPURITests {
    @Test func linksFollowRFC5122() throws {
        #expect(XMPPURI.command(node: "status", at: try JID("bot@example.org/adhocd")) == "xmpp:bot@example.org/adhocd?command;node=status")
        #expect(XMPPURI.command(node: "systemd/nginx.service/restart", at: try JID("bot@example.org/adhocd"))
            == "xmpp:bot@example.org/adhocd?command;node=systemd%2Fnginx.service%2Frestart")
        // Non-ASCII as UTF-8 octets; characters the grammar keeps stay; ?, #, & and = in values do not.
        #expect(XMPPURI.command(node: "a&b=c?d#e", at: try JID("café@example.org/r:1&2"))
            == "xmpp:caf%C3%A9@example.org/r:1&2?command;node=a%26b%3Dc%3Fd%23e")
        #expect(XMPPURI.command(node: "x", at: try JID("example.org")) == "xmpp:example.org?command;node=x")
        #expect(XMPPURI.commandList(at: try JID("bot@example.org/adhocd")) == "xmpp:bot@example.org/adhocd?command")
    }
}
