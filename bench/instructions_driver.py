"""Drives a bot under callgrind for bench/instructions: warm-up, then pings, then two-stage
`echo` commands, with callgrind's instrumentation on only around each phase (callgrind_control),
so each profile holds exactly COUNT requests of one kind."""

import argparse
import asyncio
import ssl
import subprocess
import sys
from xml.etree import ElementTree

import slixmpp

COMMANDS = "http://jabber.org/protocol/commands"


class Driver(slixmpp.ClientXMPP):
    def __init__(self, arguments):
        super().__init__(arguments.jid, arguments.password)
        self.arguments = arguments
        self.finished = False
        self.add_event_handler("session_start", self.start)

    def callgrind(self, *options):
        subprocess.run(["callgrind_control", *options, str(self.arguments.pid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def ping(self):
        iq = self.make_iq_get(ito=self.arguments.bot)
        ElementTree.SubElement(iq.xml, "{urn:xmpp:ping}ping")
        await iq.send(timeout=30)

    async def command(self):
        iq = self.make_iq_set(ito=self.arguments.bot)
        ElementTree.SubElement(iq.xml, f"{{{COMMANDS}}}command", node="echo", action="execute")
        form = await iq.send(timeout=30)
        session = form.xml.find(f"{{{COMMANDS}}}command").get("sessionid")
        iq = self.make_iq_set(ito=self.arguments.bot)
        command = ElementTree.SubElement(iq.xml, f"{{{COMMANDS}}}command", node="echo", action="complete", sessionid=session)
        submitted = ElementTree.SubElement(command, "{jabber:x:data}x", type="submit")
        field = ElementTree.SubElement(submitted, "{jabber:x:data}field", var="text")
        ElementTree.SubElement(field, "{jabber:x:data}value").text = "hello"
        await iq.send(timeout=30)

    async def measure(self, name, request):
        self.callgrind("--zero")
        self.callgrind("--instr=on")
        for _ in range(self.arguments.count):
            await request()
        self.callgrind("--instr=off")
        self.callgrind("--dump=" + name)

    async def start(self, _event):
        self.send_presence()
        # The bot starts slowly under valgrind: until it is online, the server answers for it.
        for _ in range(120):
            try:
                await self.ping()
                break
            except slixmpp.exceptions.IqError:
                await asyncio.sleep(0.5)
        for _ in range(50):
            await self.ping()
        for _ in range(20):
            await self.command()
        await asyncio.sleep(0.5)
        await self.measure("ping", self.ping)
        await self.measure("command", self.command)
        self.finished = True
        self.disconnect()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--bot", required=True, help="the bot's full JID")
    parser.add_argument("--pid", type=int, required=True, help="the process callgrind runs")
    parser.add_argument("--count", type=int, default=300)
    arguments = parser.parse_args()
    driver = Driver(arguments)
    driver.ssl_context = ssl.create_default_context(cafile=arguments.ca_file)
    driver.enable_direct_tls = False
    driver.connect(host="127.0.0.1", port=arguments.port)
    asyncio.get_event_loop().run_until_complete(driver.disconnected)
    sys.exit(0 if driver.finished else 1)


if __name__ == "__main__":
    main()
