"""The fleet room's test helpers: bots joining a room on the sandbox's mod_muc, and an occupant
who watches it (slixmpp, XEP-0045)."""

import asyncio

from slixmpp import JID
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from adhocd_harness import Adhocd

ROOMCONFIG = "http://jabber.org/protocol/muc#roomconfig"
PEOPLE = {"admin", "stranger"}
BOTS = {"web1": ("away", "web1: load 3.1"), "web2": ("dnd", "web2: disk 97%"), "web3": (None, "web3: all fine")}


def bot_tables(room: str, nick: str, show: str | None, status: str) -> dict:
    presence = {"status": status} | ({"show": show} if show else {})
    return {
        "fleet": {"room": room, "nick": nick},
        "presence": presence,
        "commands.status": {"allow": ["jid:user@localhost"]},
        "commands.echo": {"enabled": True, "allow": ["jid:user@localhost"]},
    }


def start_bot(sandbox, account: str, room: str, nick: str | None = None, show=None, status="ok") -> Adhocd:
    if account not in sandbox.accounts:
        sandbox.register(account, f"{account}pw")
    bot = Adhocd(sandbox, bot_tables(room, nick or account, show, status), name=account, account=account)
    bot.start()
    return bot


class RoomWatch:
    """Everything one occupant hears from the room: presences and messages, in order. Lines
    people type (the admin's, the stranger's) are not answers."""

    def __init__(self, client, room: str):
        self.client = client
        self.room = room
        self.messages = asyncio.Queue()
        self.private = asyncio.Queue()
        self.presences = []
        client.register_handler(Callback(f"room messages {id(self)}", MatchXPath("{jabber:client}message"), self._message))
        client.register_handler(Callback(f"room presences {id(self)}", MatchXPath("{jabber:client}presence"), self._presence))

    def _message(self, message) -> None:
        if message["from"].bare != self.room or not message["body"]:
            return
        if message["type"] == "groupchat" and message.xml.find("{urn:xmpp:delay}delay") is None:
            self.messages.put_nowait((message["from"].resource, message["body"]))
        elif message["type"] == "chat":
            self.private.put_nowait((message["from"].resource, message["body"]))

    def _presence(self, presence) -> None:
        if presence["from"].bare == self.room:
            self.presences.append(presence)

    def say(self, text: str) -> None:
        self.client.send_message(mto=self.room, mbody=text, mtype="groupchat")

    async def answers(self, count: int, timeout: float = 20, quiet: float = 2) -> list[tuple[str, str]]:
        """The next `count` lines from bots, then `quiet` seconds without another."""
        found = []
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < count:
            nick, body = await asyncio.wait_for(self.messages.get(), max(0.1, deadline - asyncio.get_running_loop().time()))
            if nick not in PEOPLE:
                found.append((nick, body))
        await self.nothing(quiet)
        return found

    async def nothing(self, seconds: float) -> None:
        end = asyncio.get_running_loop().time() + seconds
        while (left := end - asyncio.get_running_loop().time()) > 0:
            try:
                nick, body = await asyncio.wait_for(self.messages.get(), left)
            except asyncio.TimeoutError:
                return
            assert nick in PEOPLE, f"unexpected line from {nick}: {body!r}"

    async def occupant(self, nick: str, available: bool = True, after: int = 0, timeout: float = 20):
        """The first presence of `nick` (available or not) from index `after` on."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for presence in self.presences[after:]:
                if presence["from"].resource == nick and (presence["type"] != "unavailable") == available:
                    return presence
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {'available' if available else 'unavailable'} presence of {nick} in {timeout} s")


async def make_room(admin, room: str, members: list[str]) -> None:
    """The admin creates the room, makes it members-only and non-anonymous, adds the members."""
    await admin.plugin["xep_0045"].join_muc_wait(JID(room), "admin", maxstanzas=0, timeout=20)
    form = admin.plugin["xep_0004"].make_form(ftype="submit")
    form.add_field("FORM_TYPE", value=ROOMCONFIG, ftype="hidden")
    form.add_field("muc#roomconfig_whois", value="anyone")
    form.add_field("muc#roomconfig_membersonly", value="1")
    form.add_field("muc#roomconfig_persistentroom", value="1")
    await admin.plugin["xep_0045"].set_room_config(JID(room), form)
    for member in members:
        await admin.plugin["xep_0045"].set_affiliation(JID(room), "member", jid=JID(member))
