"""Presence as status, end to end: the real adhocd, a real Prosody, slixmpp as the contacts.

Subscriptions are approved for contacts a rule admits and declined (or left pending) for
others; an approved contact sees the bot's presence follow a probe command's result, gets
alerts by chat, and set-presence overrides the monitor until handed back.
"""

import asyncio
import contextlib

import pytest

from adhocd_harness import Adhocd, BotPresence, command_nodes, execute, is_available, set_roster_groups, xmpp_client

# A probe command that reports what the test writes into its state file: "LEVEL TEXT", or
# "hang" to never answer.
PROBE_SCRIPT = """#!/bin/sh
read level text < "$1"
if [ "$level" = hang ]; then sleep 60; fi
echo "$text"
exit "$level"
"""


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def subscription(kind):
    return lambda presence: presence["type"] == kind


@contextlib.contextmanager
def running_adhocd(sandbox, tables):
    """adhocd with these tables, stopped gracefully afterwards whatever happens."""
    daemon = Adhocd(sandbox, tables).start()
    try:
        yield daemon
    finally:
        assert daemon.stop() == 0, daemon.log_text()[-2000:]


@contextlib.asynccontextmanager
async def user_and_stranger(sandbox):
    """Both contacts logged in, each with what they hear from the bot."""
    async with xmpp_client(sandbox, "user", "userpw") as user, \
            xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
        bot_bare = f"bot@{sandbox.domain}"
        yield user, BotPresence(user, bot_bare), stranger, BotPresence(stranger, bot_bare)


def test_subscriptions_follow_the_rules_by_default(sandbox):
    with running_adhocd(sandbox, {"commands.status": {"allow": ["self", "group:coloc"]}}) as bot:
        async def scenario():
            async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
                await set_roster_groups(admin, f"user@{sandbox.domain}", ["coloc"])
            async with user_and_stranger(sandbox) as (user, heard_by_user, stranger, heard_by_stranger):
                # Allowed by a command rule: approved, and the bot asks back (mutual in the roster).
                user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
                await heard_by_user.next(subscription("subscribed"))
                await heard_by_user.next(subscription("subscribe"))
                await heard_by_user.next(is_available)

                # Nobody's rules admit the stranger: declined at once.
                stranger.send_presence_subscription(pto=f"bot@{sandbox.domain}")
                await heard_by_stranger.next(subscription("unsubscribed"))
                await heard_by_stranger.nothing_for(1, is_available)

                # The user leaves: the bot drops its own subscription to the user as well.
                user.send_presence(pto=f"bot@{sandbox.domain}", ptype="unsubscribe")
                await heard_by_user.next(subscription("unsubscribe"))
        run(scenario())
        assert "declining a presence subscription" in bot.log_text()
        assert "contact stopped following our presence" in bot.log_text()


def test_rules_of_commands_not_offered_right_now_still_admit_subscribers(sandbox):
    """The media remote exists only while a player runs; its rules admit subscribers anyway."""
    remote = {"preset": "mpris", "bus": "unix:path=/nonexistent/adhocd-test-bus", "allow": ["group:coloc"]}
    with running_adhocd(sandbox, {"dbus": [remote]}) as bot:
        async def scenario():
            async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
                await set_roster_groups(admin, f"user@{sandbox.domain}", ["coloc"])
            async with user_and_stranger(sandbox) as (user, heard_by_user, stranger, heard_by_stranger):
                assert await command_nodes(user, bot.jid) == []
                user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
                await heard_by_user.next(subscription("subscribed"))
                stranger.send_presence_subscription(pto=f"bot@{sandbox.domain}")
                await heard_by_stranger.next(subscription("unsubscribed"))
        run(scenario())


def test_subscribers_list_and_pending_requests(sandbox):
    tables = {"presence": {"subscribers": [f"jid:stranger@{sandbox.domain}"], "other_requests": "pending"}}
    with running_adhocd(sandbox, tables) as bot:
        async def scenario():
            async with user_and_stranger(sandbox) as (user, heard_by_user, stranger, heard_by_stranger):
                # Listed as a subscriber though no command admits them.
                stranger.send_presence_subscription(pto=f"bot@{sandbox.domain}")
                await heard_by_stranger.next(subscription("subscribed"))
                await heard_by_stranger.next(is_available)
                # Not listed, and pending is configured: no answer at all.
                user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
                await heard_by_user.nothing_for(2, lambda p: p["type"] in ("subscribed", "unsubscribed") or is_available(p))
        run(scenario())
        assert "leaving a presence subscription request pending" in bot.log_text()


@pytest.fixture
def probe(tmp_path):
    """The probe script and its state file; `probe.say("2 backup failed")` sets what it reports."""
    script = tmp_path / "check.sh"
    script.write_text(PROBE_SCRIPT)
    script.chmod(0o755)
    state = tmp_path / "state"

    class Probe:
        command = [str(script), str(state)]

        @staticmethod
        def say(line):
            # Written whole then renamed, so the probe never reads half a line.
            partial = tmp_path / "state.new"
            partial.write_text(line + "\n")
            partial.replace(state)

    Probe.say("0 backups fresh")
    return Probe


def test_presence_follows_the_probe_command(sandbox, probe):
    user_jid = f"user@{sandbox.domain}"
    tables = {
        "presence": {"subscribers": [f"jid:{user_jid}"]},
        "commands.set-presence": {"allow": ["self", f"jid:{user_jid}"]},
        "monitor": {
            "interval": 1, "load": False, "memory": False, "disks": [], "uptime": False, "failed_units": False,
            "probe_command": probe.command, "probe_timeout": 1.5,
            "alerts": [f"jid:{user_jid}"], "alert_interval": 0,
        },
    }
    with running_adhocd(sandbox, tables) as bot:
        async def scenario():
            async with xmpp_client(sandbox, "user", "userpw") as user:
                heard = BotPresence(user, f"bot@{sandbox.domain}")
                user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
                first = await heard.available("", "backups fresh")
                assert first.xml.find("{http://jabber.org/protocol/caps}c") is not None

                probe.say("2 backup failed")
                await heard.available("dnd", "backup failed")
                alert = await asyncio.wait_for(heard.messages.get(), 10)
                assert alert["type"] == "chat"
                assert "is critical (was ok): backup failed" in alert["body"]

                probe.say("1 backup late")
                await heard.available("away", "backup late")

                # A probe that hangs is reported as such; the loop goes on.
                probe.say("hang x")
                await heard.available("away", "check.sh: timed out", timeout=20)
                probe.say("0 all good")
                await heard.available("", "all good", timeout=20)

                # set-presence overrides the monitor until handed back.
                started = await execute(user, bot.jid, "set-presence")
                assert "automatic" in started["command"]["form"].get_fields()
                await execute(user, bot.jid, "set-presence", action="complete", sessionid=started["command"]["sessionid"],
                              form={"status": "xa", "status-message": "maintenance"})
                await heard.available("xa", "maintenance")
                probe.say("1 disk slow")
                await heard.nothing_for(2.5, lambda p: is_available(p) and p["show"] != "xa")
                again = await execute(user, bot.jid, "set-presence")
                done = await execute(user, bot.jid, "set-presence", action="complete", sessionid=again["command"]["sessionid"],
                                     form={"automatic": True})
                assert done["command"]["notes"][0][1] == "Presence follows the health monitor again."
                await heard.available("away", "disk slow")
        run(scenario())
