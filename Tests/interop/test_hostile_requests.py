"""Anyone on the federation can send the bot anything (docs/security.md): a stranger in no roster
group, a contact who mistypes, and a contact reaching past their rights, each driving the real
bot from slixmpp through a real Prosody. What the stream layer defends is in
test_hostile_stream.py; the commands.d files and audit in test_commands_d_hostile.py."""

import asyncio
import xml.etree.ElementTree as ET

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import COMMANDS_NS, Adhocd, error_of, execute, join_group, run, xmpp_client

RULES = {
    "commands.status": {"allow": ["self", "group:coloc"]},
    "commands.set-presence": {"allow": ["self", "group:coloc"]},
    "commands.reload": {"allow": ["self"]},
    "commands.echo": {"enabled": True, "allow": ["group:coloc"]},
}


@pytest.fixture
def bot(sandbox):
    daemon = Adhocd(sandbox, RULES).start()
    yield daemon
    assert daemon.stop() == 0, daemon.log_text()[-2000:]


async def answer_to(client, kind: str, to: str, payload: str, **attributes):
    """Sends one request with this payload (and stanza attributes such as `id`); returns the
    answer, or the error condition pair of an error answer."""
    iq = client.Iq(stype=kind, sto=to)
    iq.append(ET.fromstring(payload))
    for name, value in attributes.items():
        iq.xml.set(name, value)
    try:
        return await iq.send(timeout=10)
    except IqError as error:
        return error_of(error)


def test_what_a_stranger_sends_reaches_the_log_cut_short(sandbox, bot):
    """A session id or stanza id is the sender's text, and it lands in log lines: a stranger's
    100 KB id must not make a 100 KB line (journald splits lines past 48 KB, and a few such
    requests a second fill a disk). Each line stays short; the requests are still answered."""
    huge = "s" * 100_000

    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user, \
                xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            mark = len(bot.log_text())
            # Refused before sessions are looked at (a real node the stranger may not run).
            with pytest.raises(IqError) as refused:
                await execute(stranger, bot.jid, "status", action="complete", sessionid=huge)
            assert error_of(refused.value) == ("item-not-found", None)
            # A contact's own node, an id that is no session.
            with pytest.raises(IqError) as unknown:
                await execute(user, bot.jid, "echo", action="complete", sessionid=huge)
            assert error_of(unknown.value) == ("bad-request", "bad-sessionid")
            # A stanza id, which the bot's delivery report names.
            answer = await answer_to(stranger, "get", bot.jid, "<query xmlns='http://jabber.org/protocol/disco#info'/>", id=huge)
            assert answer["id"] == huge
            await asyncio.sleep(0.5)
            return mark
    mark = run(scenario())
    written = bot.log_text()[mark:]
    lines = written.splitlines()
    assert any("command refused" in line for line in lines), written[-3000:]
    assert any("unknown session" in line for line in lines), written[-3000:]
    assert max(len(line) for line in lines) <= 2048, max(len(line) for line in lines)
    assert len(written) < 20_000, len(written)


async def submit_raw(client, to: str, node: str, sessionid: str, form: str):
    """Submits a data form written out by hand (what slixmpp's form API cannot write, such as one
    field given twice); returns the answer's <command/>."""
    iq = client.Iq(stype="set", sto=to)
    iq["command"]["node"] = node
    iq["command"]["sessionid"] = sessionid
    iq["command"]["action"] = "complete"
    iq["command"].xml.append(ET.fromstring(form))
    return (await iq.send(timeout=10))["command"]


def test_a_field_given_twice_is_asked_again_not_run_with_one_of_them(sandbox, bot):
    """XEP-0004 fields are unique by var. A form naming one twice with different values is not
    run with either: the stage comes back with a note saying which field, showing the first
    value (the one the note is about), and the session goes on."""
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user:
            session = (await execute(user, bot.jid, "echo"))["command"]["sessionid"]
            again = await submit_raw(user, bot.jid, "echo", session,
                                     "<x xmlns='jabber:x:data' type='submit'><field var='text'><value>first</value></field>"
                                     "<field var='text'><value>second</value></field></x>")
            assert again["status"] == "executing" and again["sessionid"] == session
            assert [tuple(note) for note in again["notes"]] == [("error", "Please correct this field:\nText (text) is given 2 times; send it once")]
            assert again["form"].get_fields()["text"]["value"] == "first"
            done = await execute(user, bot.jid, "echo", action="complete", sessionid=session, form={"text": "once"})
            assert [note[1] for note in done["command"]["notes"]] == ["once"]
    run(scenario())


def test_a_contact_cannot_make_every_subscriber_receive_a_huge_status(sandbox, bot):
    """set-presence is a contact's right, but its message goes to every subscriber on every
    presence the bot sends, until someone changes it: a 200 KB message would be 200 KB per
    subscriber each time. It is refused with a note saying the limit, and nothing changes."""
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user:
            presences = asyncio.Queue()
            user.add_event_handler("presence", lambda presence: presences.put_nowait(presence)
                                   if presence["from"].full == bot.jid and presence["type"] != "unavailable" else None)
            user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
            first = await asyncio.wait_for(presences.get(), 10)

            session = (await execute(user, bot.jid, "set-presence"))["command"]["sessionid"]
            done = await execute(user, bot.jid, "set-presence", action="complete", sessionid=session,
                                 form={"status": "dnd", "status-message": "x" * 200_000})
            assert done["command"]["status"] == "completed"
            assert [tuple(note) for note in done["command"]["notes"]] == [
                ("error", "Not changed: the message has 200000 characters; a presence carries at most 1024.")]
            await asyncio.sleep(1)
            while not presences.empty():
                again = presences.get_nowait()
                assert (again["show"], again["status"]) == (first["show"], first["status"]), len(str(again))

            # A message of the limit goes out.
            session = (await execute(user, bot.jid, "set-presence"))["command"]["sessionid"]
            await execute(user, bot.jid, "set-presence", action="complete", sessionid=session,
                          form={"status": "dnd", "status-message": "y" * 1024})
            changed = await asyncio.wait_for(presences.get(), 10)
            assert (changed["show"], changed["status"]) == ("dnd", "y" * 1024)
    run(scenario())
