"""The fleet room (XEP-0045): several adhocd in one room on Prosody's mod_muc, driven by slixmpp.

An admin (the `user` account, allowed to run `status` and `echo` on every bot) owns a
members-only, non-anonymous room; the bots (accounts web1…web4) and a stranger are members.
"""

import asyncio

import pytest
from slixmpp import JID

from adhocd_harness import Adhocd, run, xmpp_client
from fault_proxy import FaultProxy
from fleet_harness import BOTS, RoomWatch, bot_tables, make_room, start_bot


def test_a_fleet_answers_in_its_room(muc_sandbox):
    sandbox = muc_sandbox
    room = f"fleet@{sandbox.muc_domain}"
    bots = []

    async def scenario():
        async with xmpp_client(sandbox, "user", "userpw", plugins=("xep_0045",)) as admin:
            watch = RoomWatch(admin, room)
            members = [sandbox.jid(name) for name in ("web1", "web2", "web3", "web4", "stranger")]
            await make_room(admin, room, members)
            for account, (show, status) in BOTS.items():
                bot = await asyncio.to_thread(start_bot, sandbox, account, room, show=show, status=status)
                bots.append(bot)
                await asyncio.to_thread(bot.wait_for_log, "joined the fleet room")

            # The occupant list is the fleet's dashboard: each bot's show and status.
            for account, (show, status) in BOTS.items():
                presence = await watch.occupant(account)
                assert presence["status"] == status
                assert presence["show"] == (show or "")
                item = presence.xml.find("{http://jabber.org/protocol/muc#user}x/{http://jabber.org/protocol/muc#user}item")
                assert item.get("jid").startswith(f"{account}@")

            watch.say("all: status")
            answers = await watch.answers(3)
            assert sorted(nick for nick, _ in answers) == ["web1", "web2", "web3"]
            assert all("Status of" in body or "load" in body.lower() for _, body in answers), answers

            watch.say("WEB2: status")
            assert [nick for nick, _ in await watch.answers(1)] == ["web2"]

            watch.say("web9: status")
            watch.say("status")
            await watch.nothing(2)

            # help: the commands, how to address bots, where the forms are.
            watch.say("web3: help")
            (nick, body), = await watch.answers(1)
            assert nick == "web3"
            assert "'all: command' for every bot" in body
            assert "xmpp:web3@localhost/adhocd?command" in body

            # A dialogue continues with the person who started it; a stranger cannot answer it.
            async with xmpp_client(sandbox, "stranger", "strangerpw", plugins=("xep_0045",)) as stranger:
                stranger_watch = RoomWatch(stranger, room)
                await stranger.plugin["xep_0045"].join_muc_wait(JID(room), "stranger", maxstanzas=0, timeout=20)
                watch.say("web1: echo")
                (nick, question), = await watch.answers(1)
                assert nick == "web1" and question
                stranger_watch.say("all: status")
                stranger_watch.say("web1: intruder text")
                await watch.nothing(3)
                watch.say("web1: hello fleet")
                (nick, echoed), = await watch.answers(1)
                assert nick == "web1" and "hello fleet" in echoed and "intruder" not in echoed
                for bot in bots:
                    assert "room occupant no rule admits" in bot.log_text()

            # A private message through the room is answered privately, by the same rules.
            admin.send_message(mto=f"{room}/web3", mbody="status", mtype="chat")
            nick, body = await asyncio.wait_for(watch.private.get(), 20)
            assert nick == "web3" and "Status of" in body
            await watch.nothing(1)

            # The room follows a bot's presence when it changes.
            bots[2].tables["presence"] = {"show": "xa", "status": "web3: maintenance"}
            mark = len(watch.presences)
            await asyncio.to_thread(bots[2].write_config)
            await asyncio.to_thread(bots[2].reload)
            presence = await watch.occupant("web3", after=mark)
            assert presence["show"] == "xa" and presence["status"] == "web3: maintenance"

            # A kicked bot comes back.
            mark = len(watch.presences)
            await admin.plugin["xep_0045"].set_role(JID(room), "web2", "none", reason="test kick")
            await watch.occupant("web2", available=False, after=mark)
            await asyncio.to_thread(bots[1].wait_for_log, "kicked from the fleet room")
            await watch.occupant("web2", after=mark + 1, timeout=30)

            # Another bot asking for a nick in use gets the next one, and says so.
            mark = len(watch.presences)
            web4 = await asyncio.to_thread(start_bot, sandbox, "web4", room, nick="web1")
            bots.append(web4)
            await asyncio.to_thread(web4.wait_for_log, "joining as 'web1-2'")
            presence = await watch.occupant("web1-2", after=mark)
            assert presence["status"] == "ok"

            watch.say("all: status")
            assert sorted(nick for nick, _ in await watch.answers(4)) == ["web1", "web1-2", "web2", "web3"]

    try:
        run(scenario(), timeout=240)
    finally:
        for bot in bots:
            assert bot.stop() == 0


def test_a_bot_that_creates_the_room_locks_it_down(muc_sandbox):
    sandbox = muc_sandbox
    room = f"fresh@{sandbox.muc_domain}"
    bot = start_bot(sandbox, "web1", room)
    try:
        bot.wait_for_log("configured the new room")

        async def scenario():
            async with xmpp_client(sandbox, "user", "userpw", plugins=("xep_0045",)) as admin:
                info = await admin.plugin["xep_0030"].get_info(jid=room)
                features = set(info["disco_info"]["features"])
                assert {"muc_membersonly", "muc_nonanonymous", "muc_persistent"} <= features, features
                # Not a member: the room refuses the admin (who is nobody's owner here).
                with pytest.raises(Exception):
                    await admin.plugin["xep_0045"].join_muc_wait(JID(room), "admin", maxstanzas=0, timeout=10)

        run(scenario())
    finally:
        assert bot.stop() == 0


def test_a_resumed_session_stays_in_the_room(muc_sandbox):
    """XEP-0198: the server keeps a hibernating session's room presence, so after a resumption
    the bot does not join again, and the room never sees it leave. A line said in the room while
    the bot's connection was down reaches it with the resumption (Prosody stamps it with a
    <delay/> from the bot's own account) and is answered: it is seconds old, not history."""
    sandbox = muc_sandbox
    room = f"fleet@{sandbox.muc_domain}"
    with FaultProxy(sandbox.host, sandbox.c2s_port) as proxy:
        sandbox.register("web1", "web1pw")
        bot = Adhocd(sandbox, bot_tables(room, "web1", None, "ok") | {"account": {"port": proxy.port}}, name="web1", account="web1")

        async def scenario():
            async with xmpp_client(sandbox, "user", "userpw", plugins=("xep_0045",)) as admin:
                watch = RoomWatch(admin, room)
                await make_room(admin, room, [sandbox.jid("web1")])
                await asyncio.to_thread(bot.start)
                await asyncio.to_thread(bot.wait_for_log, "joined the fleet room")
                await watch.occupant("web1")
                mark = len(watch.presences)
                log_mark = len(bot.log_text())
                proxy.cut_and_refuse()
                await asyncio.to_thread(bot.wait_for_log, "connection lost or failed", after=log_mark)
                watch.say("web1: status")
                await watch.nothing(1.5)
                proxy.reopen()
                (nick, body), = await watch.answers(1)
                assert nick == "web1" and "Status of" in body
                await asyncio.to_thread(bot.wait_for_log, "resumed the session")
                watch.say("web1: status")
                (nick, body), = await watch.answers(1)
                assert nick == "web1" and "Status of" in body
                assert not [p for p in watch.presences[mark:] if p["from"].resource == "web1" and p["type"] == "unavailable"]
                assert bot.log_text().count("joined the fleet room") == 1

        try:
            run(scenario(), timeout=120)
        finally:
            assert bot.stop() == 0
