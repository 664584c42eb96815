"""The peer adhocd is measured against: the bot a user would write with slixmpp in an evening.

It offers the same two-stage `echo` command as adhocd (a form asking for `text`, then a note
with it), to one allowed JID, and answers XEP-0199 pings (slixmpp's xep_0199 does that).
bench/run starts it in the same sandbox Prosody as adhocd, and adhocd-bench drives both with the
same client, so every figure has its peer beside it. Deliberately plain: no session time limits,
no logging beyond warnings, slixmpp's defaults everywhere, as such a bot would be.
"""

import argparse
import asyncio
import ssl

import slixmpp
from slixmpp.exceptions import XMPPError


class PeerBot(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str, allowed: str):
        super().__init__(jid, password)
        self.allowed = slixmpp.JID(allowed).bare
        for plugin in ("xep_0030", "xep_0004", "xep_0050", "xep_0199"):
            self.register_plugin(plugin)
        self.add_event_handler("session_start", self.start)

    async def start(self, _event):
        await self.get_roster()
        self.send_presence()
        self.plugin["xep_0050"].add_command(node="echo", name="Echo", handler=self.echo_start)

    def echo_start(self, iq, session):
        if iq["from"].bare != self.allowed:
            raise XMPPError("forbidden")
        form = self.plugin["xep_0004"].make_form("form", "Echo")
        form.add_field(var="text", ftype="text-single", label="Text", required=True)
        session["payload"] = form
        session["next"] = self.echo_complete
        session["has_next"] = False
        return session

    def echo_complete(self, payload, session):
        session["payload"] = None
        session["next"] = None
        session["notes"] = [("info", payload["values"].get("text", ""))]
        return session


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jid", required=True, help="the bot's full JID")
    parser.add_argument("--password", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--allow", required=True, help="the one JID allowed to run echo")
    arguments = parser.parse_args()

    bot = PeerBot(arguments.jid, arguments.password, arguments.allow)
    bot.ssl_context = ssl.create_default_context(cafile=arguments.ca_file)
    bot.enable_direct_tls = False
    bot.connect(arguments.host, arguments.port)
    asyncio.get_event_loop().run_forever()


if __name__ == "__main__":
    main()
