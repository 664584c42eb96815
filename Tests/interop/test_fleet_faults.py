"""The fleet room when it does not go as planned: a join nobody answers, a join answered late, and
answers that are ready while the bot is out of the room (kicked, banned).

Each fault is caused for real: a room on a domain that is no multi-user chat service (Prosody
drops the presence), a room service that is down (Prosody answers for it) or that answers late
(an external component the test serves), and a room owner who kicks or bans the bot while a slow
commands.d command runs.
"""

import asyncio
import xml.etree.ElementTree as ET

from slixmpp import JID
from slixmpp.componentxmpp import ComponentXMPP
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from adhocd_harness import Adhocd, BotChat, run, xmpp_client
from fleet_harness import RoomWatch, bot_tables, make_room

MUC = "http://jabber.org/protocol/muc"
MUC_USER = "http://jabber.org/protocol/muc#user"
JOIN_TIMEOUT = 2
# Work for 1.5 s, then a line: what a room command answers after a while. It ends after a kick
# lands (0.3 s after the line) and before the bot is back (4 s at the earliest, below).
SLOW = ('exec = ["/usr/bin/python3", "-c", "import time; time.sleep(1.5); print(\'slow work done\')"]\n'
        'allow = ["jid:user@localhost"]\n')


def fleet_bot(sandbox, room: str, account: str = "web1") -> Adhocd:
    if account not in sandbox.accounts:
        sandbox.register(account, f"{account}pw")
    tables = bot_tables(room, account, None, "ok")
    tables["fleet"]["join_timeout"] = JOIN_TIMEOUT
    return Adhocd(sandbox, tables, name=account, account=account)


class LateRoomService:
    """An external component posing as a multi-user chat service that answers a join only when
    the test says so: a service that is slow, or swallows the presence. Occupants' lines and
    the bot's answers go through it as through a room."""

    def __init__(self, sandbox):
        self.domain = sandbox.component_domain
        self.room = f"fleet@{self.domain}"
        self.client = ComponentXMPP(self.domain, sandbox.component_secret, sandbox.host, sandbox.component_port)
        self.joins = []
        self.messages = asyncio.Queue()
        self.client.register_handler(Callback("joins", MatchXPath("{jabber:component:accept}presence"), self._presence))
        self.client.register_handler(Callback("lines", MatchXPath("{jabber:component:accept}message"), self._message))

    async def connect(self) -> None:
        started = asyncio.get_running_loop().create_future()
        self.client.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
        self.client.connect()
        await asyncio.wait_for(started, 20)

    def disconnect(self) -> None:
        self.client.disconnect()

    def _presence(self, presence) -> None:
        if presence.xml.find(f"{{{MUC}}}x") is not None:
            self.joins.append(presence)

    def _message(self, message) -> None:
        self.messages.put_nowait(message)

    async def join(self, after: int = 0, timeout: float = 20):
        """The first join presence from index `after` on."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.joins) <= after:
            assert asyncio.get_running_loop().time() < deadline, f"no join reached the service in {timeout} s"
            await asyncio.sleep(0.05)
        return self.joins[after]

    def welcome(self, join) -> None:
        """The room's answer to `join`: the bot is in, as itself (110), real JIDs shown (100)."""
        self.occupant(join["to"].resource, join["from"].full, to=join["from"].full, codes=(100, 110), stanza_id=join["id"])

    def occupant(self, nick: str, real_jid: str, to: str, codes=(), stanza_id: str | None = None) -> None:
        presence = ET.Element("presence", {"from": f"{self.room}/{nick}", "to": to})
        if stanza_id:
            presence.set("id", stanza_id)
        user = ET.SubElement(presence, f"{{{MUC_USER}}}x")
        ET.SubElement(user, f"{{{MUC_USER}}}item", {"jid": real_jid, "role": "participant", "affiliation": "member"})
        for code in codes:
            ET.SubElement(user, f"{{{MUC_USER}}}status", {"code": str(code)})
        self.client.send_xml(presence)

    def say(self, nick: str, body: str, to: str) -> None:
        self.client.send_message(mto=to, mfrom=f"{self.room}/{nick}", mbody=body, mtype="groupchat")


def test_a_join_the_server_drops_is_given_up_on_and_tried_again(sandbox):
    """A room on a domain that is no multi-user chat service (here the server's own user domain:
    Prosody drops a presence to a full JID nobody is logged in as, without a word). The join is
    given up on after [fleet] join_timeout, logged, and tried again with the backoff."""
    bot = fleet_bot(sandbox, f"fleet@{sandbox.domain}")
    bot.start()
    try:
        expected = f"did not answer our join as 'web1' within {JOIN_TIMEOUT} s"
        bot.wait_for_log(expected, timeout=10)
        first = bot.log_text().index(expected)
        bot.wait_for_log(expected, timeout=10, after=first + len(expected))
        log = bot.log_text()
        assert "trying again in" in log
        assert "joined the fleet room" not in log and "refused" not in log
    finally:
        assert bot.stop() == 0


def test_a_late_answer_to_an_abandoned_join_is_taken(component_sandbox):
    """The room's service is down (Prosody answers for a component that is not connected), then
    up but slow: the bot gives its join up, and the service's late welcome arrives while the bot
    waits to try again. The bot is in (it answers a line), and it does not join again."""
    sandbox = component_sandbox
    bot = fleet_bot(sandbox, f"fleet@{sandbox.component_domain}")

    async def scenario():
        service = LateRoomService(sandbox)  # on the scenario's event loop
        await asyncio.to_thread(bot.start)
        # Down: Prosody answers for the component with remote-server-timeout.
        await asyncio.to_thread(bot.wait_for_log, "is unreachable (remote-server-timeout)")
        await service.connect()
        try:
            join = await service.join()
            mark = len(bot.log_text())
            await asyncio.to_thread(bot.wait_for_log, f"did not answer our join as 'web1' within {JOIN_TIMEOUT} s", 10, mark)
            service.welcome(join)
            await asyncio.to_thread(bot.wait_for_log, "answered an earlier join late", 10, mark)
            await asyncio.to_thread(bot.wait_for_log, "joined the fleet room", 10, mark)
            # The retry after the timeout (2 to 4 s) was cancelled: no join follows.
            await asyncio.sleep(5)
            assert len(service.joins) == 1, [presence["id"] for presence in service.joins]
            # In the room for real: an occupant's line is answered there.
            bot_jid = join["from"].full
            service.occupant("admin", "user@localhost/pytest", to=bot_jid)
            service.say("admin", "web1: status", to=bot_jid)
            answer = await asyncio.wait_for(service.messages.get(), 20)
            assert answer["type"] == "groupchat" and answer["to"].bare == service.room
            assert "Status of" in answer["body"], answer["body"]
        finally:
            service.disconnect()

    try:
        run(scenario(), timeout=60)
    finally:
        assert bot.stop() == 0


def test_an_answer_ready_while_the_bot_is_out_of_the_room(muc_sandbox):
    """A slow command from the room; the room's owner kicks the bot while it runs: the answer is
    held and posted when the bot is back. Banned while it runs: the answer goes to the person who
    asked, at their own address."""
    sandbox = muc_sandbox
    room = f"fleet@{sandbox.muc_domain}"
    bot = fleet_bot(sandbox, room)
    bot.add_command("slow.toml", SLOW)

    async def kick(admin, watch) -> None:
        mark = len(watch.presences)
        await admin.plugin["xep_0045"].set_role(JID(room), "web1", "none", reason="test kick")
        await watch.occupant("web1", available=False, after=mark)

    async def scenario():
        async with xmpp_client(sandbox, "user", "userpw", plugins=("xep_0045",)) as admin:
            watch = RoomWatch(admin, room)
            private = BotChat(admin, bot.jid)
            await make_room(admin, room, [sandbox.jid("web1")])
            await asyncio.to_thread(bot.start)
            await asyncio.to_thread(bot.wait_for_log, "joined the fleet room")

            # Two kicks first: the third keeps the bot out for 4 to 8 s, longer than the command runs.
            for _ in range(2):
                mark = len(watch.presences)
                await kick(admin, watch)
                await watch.occupant("web1", after=mark + 1, timeout=30)
            watch.say("web1: slow")
            await asyncio.sleep(0.3)
            mark = len(watch.presences)
            await kick(admin, watch)
            log_mark = len(bot.log_text())
            await asyncio.to_thread(bot.wait_for_log, "an answer waits for the bot to be back in the fleet room", 10, log_mark)
            (nick, body), = await watch.answers(1, timeout=30)
            assert nick == "web1" and body.strip() == "slow work done", body
            back = [p for p in watch.presences[mark:] if p["from"].resource == "web1" and p["type"] != "unavailable"]
            assert back, "the answer came before the bot was back in the room"
            assert "posting the answers held while out of the fleet room" in bot.log_text()[log_mark:]

            # Banned while the command runs: the answer goes to the admin privately.
            watch.say("web1: slow")
            await asyncio.sleep(0.3)
            await admin.plugin["xep_0045"].set_affiliation(JID(room), "outcast", jid=JID(sandbox.jid("web1")))
            await asyncio.to_thread(bot.wait_for_log, "banned from the fleet room")
            text = await private.answer(20)
            assert text == f"From the room {room}, where I could not answer (I am no longer in the room):\nslow work done", text
            await watch.nothing(1)

    try:
        run(scenario(), timeout=120)
    finally:
        assert bot.stop() == 0
