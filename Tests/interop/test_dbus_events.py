"""What happens on the buses reaches people, end to end: slixmpp ← Prosody ← adhocd ← a private D-Bus.

mpv's track becomes the bot's User Tune (XEP-0118 over PEP) for the contacts subscribed to its
presence; a signal a block names becomes a chat message for `notify` recipients its rules admit;
a unit the systemd stand-in sends into `failed` is announced to `[monitor] alerts` at once.
"""

import asyncio
import contextlib
import socket
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import Adhocd, adhocd_binary, join_group, run, xmpp_client
from dbus_harness import PrivateBus
from fault_proxy import FaultProxy
from test_dbus import bus, require  # noqa: F401 (the fixture)

MPV = "org.mpris.MediaPlayer2.mpv"
MPRIS_ROOT = "/org/mpris/MediaPlayer2"
TUNE = "http://jabber.org/protocol/tune"


@contextlib.contextmanager
def running(sandbox, tables: dict):
    """adhocd with these tables; it must stop gracefully afterwards."""
    bot = Adhocd(sandbox, tables).start()
    try:
        yield bot
    except BaseException:
        print(f"adhocd log for the failed test:\n{bot.log_text()[-6000:]}")
        raise
    finally:
        assert bot.stop() == 0, bot.log_text()[-3000:]


class Heard:
    """What one client hears from the bot's account: chat messages and tunes, in order."""

    def __init__(self, client, bot_bare: str):
        self.messages = asyncio.Queue()
        self.tunes = asyncio.Queue()
        client.add_event_handler(
            "message", lambda message: self.messages.put_nowait(message["body"])
            if message["from"].bare == bot_bare and message["type"] == "chat" else None)
        client.add_event_handler(
            "user_tune_publish", lambda message: self.tunes.put_nowait(tune_of(message))
            if message["from"].bare == bot_bare else None)

    async def message(self, timeout: float = 10) -> str:
        return await asyncio.wait_for(self.messages.get(), timeout)

    async def no_message_for(self, seconds: float) -> None:
        with pytest.raises(asyncio.TimeoutError):
            body = await asyncio.wait_for(self.messages.get(), seconds)
            print(f"unexpected message: {body!r}")

    async def tune(self, wanted, timeout: float = 15) -> dict:
        """The first tune equal to `wanted` (a dict of its fields; {} for an empty tune)."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no tune {wanted!r} from the bot; heard {seen!r}")
            try:
                tune = await asyncio.wait_for(self.tunes.get(), remaining)
            except asyncio.TimeoutError:
                continue
            seen.append(tune)
            if tune == wanted:
                return tune


def tune_of(message) -> dict | None:
    """The fields of the <tune/> in a PEP event, {} for an empty one."""
    tune = message.xml.find(f".//{{{TUNE}}}tune")
    if tune is None:
        return None
    return {child.tag.split("}")[1]: child.text or "" for child in tune}


def mpris(bus, member: str, *arguments: str) -> None:
    bus.call(MPV, MPRIS_ROOT, f"org.mpris.MediaPlayer2.Player.{member}", *arguments)


LA = {"artist": "Les Colocs", "length": "30", "source": "Tones", "title": "La"}
MI = {"artist": "Les Colocs", "length": "30", "source": "Tones", "title": "Mi"}


def tones(bus):
    la = bus.tagged_tone("la.wav", 440, {"IART": "Les Colocs", "INAM": "La", "IPRD": "Tones"})
    mi = bus.tagged_tone("mi.wav", 660, {"IART": "Les Colocs", "INAM": "Mi", "IPRD": "Tones"})
    return la, mi


def playing(bus):
    """mpv on the bus playing La; returns the files of La and Mi."""
    require("mpv")
    la, mi = tones(bus)
    bus.start_mpv(media=str(la))
    return la, mi


def remote(bus, **keys) -> dict:
    return {"preset": "mpris", "bus": bus.address, "allow": ["group:coloc"], **keys}


@contextlib.asynccontextmanager
async def subscribed_listener(sandbox):
    """`user`, put in group coloc, asking to follow the bot's presence with +notify for tunes in
    its caps (the rules admit coloc, so the bot approves); and what it hears."""
    await join_group(sandbox)
    async with xmpp_client(sandbox, "user", "userpw", plugins=("xep_0118",)) as user:
        heard = Heard(user, f"bot@{sandbox.domain}")
        user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
        yield heard


def test_a_subscribed_contact_sees_what_mpv_plays_as_user_tune(sandbox, bus):
    la, mi = playing(bus)
    bot_bare = f"bot@{sandbox.domain}"
    with running(sandbox, {"dbus": [remote(bus)]}) as bot:
        async def scenario():
            bot.wait_for_log("tune published")
            async with subscribed_listener(sandbox) as heard, \
                    xmpp_client(sandbox, "stranger", "strangerpw", plugins=("xep_0118",)) as stranger:
                heard_by_stranger = Heard(stranger, bot_bare)
                # The server sends the current tune to the new subscriber.
                await heard.tune(LA)

                # The next track: loaded through MPRIS's OpenUri on the private bus.
                mpris(bus, "OpenUri", f"string:file://{mi}")
                await heard.tune(MI)
                # Stopped: an empty tune.
                mpris(bus, "Stop")
                await heard.tune({})
                # A player that quits while playing: an empty tune again. (mpv-mpris reports
                # Stopped until paused and played again once stopped: a new mpv is simpler.)
                bus.stop("mpv")
                bus.start_mpv(media=str(la))
                await heard.tune(LA)
                bus.stop("mpv")
                await heard.tune({})

                # Only presence subscribers may read the node; the stranger heard nothing.
                with pytest.raises(IqError):
                    await stranger.plugin["xep_0060"].get_items(jid=bot_bare, node=TUNE, timeout=10)
                assert heard_by_stranger.tunes.empty()

            # The node was created with the presence access model (publish-options).
            async with xmpp_client(sandbox, "bot", "botpw", resource="admin", plugins=("xep_0060",)) as admin:
                answer = await admin.plugin["xep_0060"].get_node_config(jid=bot_bare, node=TUNE, timeout=10)
                fields = answer["pubsub_owner"]["configure"]["form"].get_fields()
                assert fields["pubsub#access_model"]["value"] == "presence"
        run(scenario())


def test_a_tune_node_open_to_the_world_is_left_alone(sandbox, bus):
    """Someone made the node public: adhocd refuses to publish into it rather than open the
    track to everyone (its publish-options require the presence access model)."""
    playing(bus)
    bot_bare = f"bot@{sandbox.domain}"

    async def plant():
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin", plugins=("xep_0060",)) as admin:
            options = admin.plugin["xep_0004"].make_form(ftype="submit")
            options.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/pubsub#publish-options")
            options.add_field(var="pubsub#access_model", value="open")
            planted = ET.fromstring(f"<tune xmlns='{TUNE}'><title>Planted</title></tune>")
            await admin.plugin["xep_0060"].publish(bot_bare, TUNE, id="current", payload=planted, options=options, timeout=10)
    run(plant())

    with running(sandbox, {"dbus": [remote(bus)]}) as bot:
        bot.wait_for_log("the server refused the tune")

        async def scenario():
            async with xmpp_client(sandbox, "stranger", "strangerpw", plugins=("xep_0060",)) as stranger:
                answer = await stranger.plugin["xep_0060"].get_items(jid=bot_bare, node=TUNE, timeout=10)
                titles = [element.text for element in answer.xml.iter(f"{{{TUNE}}}title")]
                assert titles == ["Planted"]
        run(scenario())
    assert "tune published" not in bot.log_text()


def test_a_reload_that_switches_the_tune_off_empties_it(sandbox, bus):
    playing(bus)
    with running(sandbox, {"dbus": [remote(bus)]}) as bot:
        async def scenario():
            async with subscribed_listener(sandbox) as heard:
                await heard.tune(LA)
                bot.tables["dbus"][0]["tune"] = False
                bot.write_config()
                bot.reload()
                await heard.tune({})
                # The remote is still there; the tune stays empty while mpv plays on.
                with pytest.raises(TimeoutError):
                    await heard.tune(LA, timeout=2)
        run(scenario())


def test_tune_off_publishes_nothing(sandbox, bus):
    playing(bus)
    with running(sandbox, {"dbus": [remote(bus, tune=False)]}) as bot:
        bot.wait_for_log("media remote mpris/remote drives")
        time.sleep(1)
    assert "tune" not in bot.log_text().replace("component=tune", "")


def test_a_signal_reaches_notify_recipients_the_rules_admit_and_no_one_else(sandbox, bus):
    bus.start_service("signature_service.py", "org.adhocd.Test")
    stranger = f"stranger@{sandbox.domain}"
    block = {
        "bus": bus.address, "service": "org.adhocd.Test", "signals": ["org.adhocd.Test.Signatures.Al*"],
        "notify": ["group:coloc", f"jid:{stranger}"], "template": "{sender} at {path}: {arg0} (level {arg1}) {{{member}}}",
        "rate_limit": 3, "allow": ["group:coloc"],
    }
    with running(sandbox, {"dbus": [block]}) as bot:
        # `adhocd check` says so before anything is sent.
        check = subprocess.run([str(adhocd_binary()), "check", "--config", str(bot.config)],
                               capture_output=True, text=True, timeout=30)
        assert f"notify names jid:{stranger}, whom the rules (allow group:coloc) do not allow by JID" in check.stderr, check.stderr

        async def scenario():
            await join_group(sandbox)
            bot.wait_for_log("following the signals of org.adhocd.Test")
            async with xmpp_client(sandbox, "user", "userpw") as user, \
                    xmpp_client(sandbox, "stranger", "strangerpw") as outsider:
                heard = Heard(user, f"bot@{sandbox.domain}")
                heard_by_stranger = Heard(outsider, f"bot@{sandbox.domain}")
                bus.call("org.adhocd.Test", "/org/adhocd/Test", "org.adhocd.Test.Signatures.Emit",
                         "string:disk full", "uint32:3", "uint32:1")
                assert await heard.message() == "org.adhocd.Test at /org/adhocd/Test: disk full (level 3) {Alarm}"
                await heard_by_stranger.no_message_for(1.5)

                # A huge argument is cut: the message stays small and the bot connected.
                bus.call("org.adhocd.Test", "/org/adhocd/Test", "org.adhocd.Test.Signatures.Emit",
                         "string:" + "x" * 100_000, "uint32:9", "uint32:1")
                huge = await heard.message()
                assert huge.startswith("org.adhocd.Test at /org/adhocd/Test: xxx") and len(huge) < 3000
                assert "x…" in huge

                # At most 3 a minute per signal: of three more, one goes out.
                bus.call("org.adhocd.Test", "/org/adhocd/Test", "org.adhocd.Test.Signatures.Emit",
                         "string:again", "uint32:4", "uint32:3")
                assert await heard.message() == "org.adhocd.Test at /org/adhocd/Test: again (level 4) {Alarm}"
                await heard.no_message_for(1.5)
                assert heard_by_stranger.messages.empty()
        run(scenario())
    log = bot.log_text()
    assert f"{stranger} is in notify but the block's rules (allow group:coloc) do not admit them" in log
    assert "signal held back (rate limit)" in log


def test_a_unit_that_fails_is_announced_at_once(sandbox, bus):
    """The systemd stand-in (services/systemd_standin.py) sends nginx.service into `failed`; the
    monitor's round is an hour, so only the D-Bus watch can tell in time."""
    bus.start_service("systemd_standin.py", "org.freedesktop.systemd1", "nginx.service")
    user = f"user@{sandbox.domain}"
    tables = {
        "dbus": [{"preset": "systemd", "bus": bus.address, "units": ["nginx.service"], "allow": ["group:admins"]}],
        "monitor": {"interval": 3600, "load": False, "memory": False, "disks": [], "uptime": False, "failed_units": False,
                    "alerts": [f"jid:{user}"]},
    }
    with running(sandbox, tables) as bot:
        bot.wait_for_log("watching nginx.service for failures (it is active now)")

        async def scenario():
            async with xmpp_client(sandbox, "user", "userpw") as client:
                heard = Heard(client, f"bot@{sandbox.domain}")

                def manager(member: str, *arguments: str) -> None:
                    bus.call("org.freedesktop.systemd1", "/org/freedesktop/systemd1", member, *arguments)

                # Stopping is no failure: nothing is sent.
                manager("org.freedesktop.systemd1.Manager.StopUnit", "string:nginx.service", "string:replace")
                await heard.no_message_for(1.5)
                manager("org.freedesktop.systemd1.Manager.StartUnit", "string:nginx.service", "string:replace")
                manager("org.adhocd.Test.Standin.Fail", "string:nginx.service")
                started = time.monotonic()
                alert = await heard.message(timeout=10)
                assert time.monotonic() - started < 5
                first, second = alert.split("\n")[:2]
                assert first == f"{socket.gethostname()}: nginx.service failed, was active."
                # No journal in this container: the alert says what it could find.
                assert second in ("The journal holds no lines for it.", "Last journal lines:") \
                    or second.startswith("Its journal lines cannot be read: "), alert
        run(scenario())
    assert "SUBSCRIBE" in bus.output("systemd_standin.py")
    assert "failed-unit alert sent" in bot.log_text()


def test_a_signal_while_the_connection_is_down_arrives_after_resumption(sandbox, bus):
    """The bot's connection is out (the server keeps its session): a signal meanwhile is kept and
    delivered on the resumed stream, not dropped."""
    bus.start_service("signature_service.py", "org.adhocd.Test")
    block = {"bus": bus.address, "service": "org.adhocd.Test", "signals": ["*.Alarm"], "notify": ["group:coloc"],
             "template": "{arg0} (level {arg1})", "allow": ["group:coloc"]}
    with FaultProxy(sandbox.host, sandbox.c2s_port) as proxy, \
            running(sandbox, {"account": {"port": proxy.port}, "connection": {"reconnect_max_delay": 2},
                              "dbus": [block]}) as bot:
        async def scenario():
            await join_group(sandbox)
            bot.wait_for_log("following the signals of org.adhocd.Test")
            async with xmpp_client(sandbox, "user", "userpw") as user:
                heard = Heard(user, f"bot@{sandbox.domain}")
                mark = len(bot.log_text())
                proxy.cut_and_refuse()
                bot.wait_for_log("connection lost or failed", after=mark)
                bus.call("org.adhocd.Test", "/org/adhocd/Test", "org.adhocd.Test.Signatures.Emit",
                         "string:while away", "uint32:2", "uint32:1")
                await heard.no_message_for(1.5)
                proxy.reopen()
                assert await heard.message(timeout=20) == "while away (level 2)"
                bot.wait_for_log("resumed the session", after=mark)
        run(scenario())
        assert "not sent: offline" not in bot.log_text()


def test_while_the_server_is_down_the_tune_follows_after_the_reconnect(sandbox, bus):
    """A track changed while the server is down is published once the bot is back (the PEP
    node is the server's: nothing to publish it into meanwhile)."""
    _, mi = playing(bus)
    with running(sandbox, {"connection": {"reconnect_max_delay": 2}, "dbus": [remote(bus)]}) as bot:
        bot.wait_for_log("tune published")
        mark = len(bot.log_text())
        sandbox.stop()
        bot.wait_for_log("connection lost or failed", after=mark)
        mpris(bus, "OpenUri", f"string:file://{mi}")
        bot.wait_for_log("tune not published: offline", after=mark)
        sandbox.restart()
        bot.wait_for_log("tune published", timeout=30, after=mark)

        async def scenario():
            async with subscribed_listener(sandbox) as heard:
                await heard.tune(MI)
        run(scenario())
