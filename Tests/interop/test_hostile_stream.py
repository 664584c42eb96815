"""A stranger's stanzas cannot knock the bot offline (issue 10, the stream's part): nested and
oversized stanzas are skipped alone, requests among them answered with a small error, and an
allowed contact subscribed to the bot never sees it go unavailable."""

import asyncio
import time
import xml.etree.ElementTree as ET

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import Adhocd, execute, join_group, run, xmpp_client

RULES = {"commands.status": {"allow": ["self", "group:coloc"]}}


@pytest.fixture
def bot(sandbox):
    daemon = Adhocd(sandbox, RULES).start()
    yield daemon
    assert daemon.stop() == 0, daemon.log_text()[-2000:]


def nested_message(to: str, depth: int) -> str:
    """A chat message with `depth` nested elements: under 1 KB at depth 40, as in issue 10."""
    return (f"<message xmlns='jabber:client' to='{to}' type='chat'><body>hi</body><x xmlns='urn:example:nest'>"
            + "<y>" * (depth - 1) + "</y>" * (depth - 1) + "</x></message>")


async def request_error(client, to: str, payload: str):
    """Sends a get with this payload; returns (condition, size of the error answer in bytes)."""
    iq = client.make_iq_get(ito=to)
    iq.append(ET.fromstring(payload))
    try:
        await iq.send(timeout=10)
    except IqError as error:
        return error.iq["error"]["condition"], len(str(error.iq).encode())
    raise AssertionError("the request was answered with a result")


def test_a_strangers_stanzas_do_not_end_the_bots_stream(sandbox, bot):
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user, \
                xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            unavailable = []
            user.add_event_handler("presence_unavailable",
                                   lambda presence: unavailable.append(presence) if presence["from"].full == bot.jid else None)
            heard = asyncio.get_running_loop().create_future()
            user.add_event_handler("presence_available",
                                   lambda presence: heard.done() or presence["from"].full != bot.jid or heard.set_result(True))
            user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
            await asyncio.wait_for(heard, 10)

            message = nested_message(bot.jid, 40)
            assert len(message.encode()) < 1024, len(message.encode())
            for _ in range(5):
                stranger.send_raw(message)
            stranger.send_raw(nested_message(bot.jid, 200))
            # A request nested past the bot's depth limit: a small error, not a closed stream.
            deep = "<query xmlns='urn:example:deep'>" + "<x>" * 200 + "</x>" * 200 + "</query>"
            condition, size = await request_error(stranger, bot.jid, deep)
            assert condition == "resource-constraint"
            assert size < 1024, size
            # A 140 KB node: the error copies nothing back and quotes little.
            node = "n" * 140_000
            condition, size = await request_error(stranger, bot.jid, f"<query xmlns='http://jabber.org/protocol/disco#info' node='{node}'/>")
            assert condition in ("item-not-found", "forbidden"), condition
            assert size < 1024, size

            started = time.monotonic()
            answer = await execute(user, bot.jid, "status")
            assert answer["command"]["status"] == "completed"
            assert time.monotonic() - started < 1
            await asyncio.sleep(0.5)
            assert not unavailable, "the subscribed contact saw the bot go unavailable"
    try:
        run(scenario())
    except BaseException:
        print(f"adhocd log:\n{bot.log_text()[-6000:]}")
        raise
    log = bot.log_text()
    assert "connection lost" not in log
    # One line per sender and minute, naming the sender: the stranger's 7 stanzas over the limits
    # are not each logged.
    lines = [line for line in log.splitlines() if "over the limits" in line]
    assert len(lines) == 1, lines
    assert f"from=stranger@{sandbox.domain}/pytest" in lines[0]
