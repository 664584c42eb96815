"""The health monitor in the sandbox of the system unit: its probes read the machine, and a
real failed unit turns the bot's presence to away (with an alert to group admins)."""

import asyncio
import re

from adhocd_harness import BotPresence, is_available, run, xmpp_client
from adhocd_service import FAILING, PROBE_TEXT


def test_the_probes_read_the_machine_from_inside_the_sandbox(adhocd, prosody):
    """Load and memory from /proc, the disk from statvfs, the probe command spawned (every
    limit but failed units is off here, so the level stays ok on a busy machine)."""
    async def scenario():
        async with xmpp_client(prosody, "user", "userpw") as user:
            presence = await BotPresence(user, prosody.jid("bot")).next(is_available)
            assert presence["show"] == ""
            assert re.fullmatch(rf"load \d+(\.\d+)? · mem \d+% · / \d+% · {PROBE_TEXT}", presence["status"]), \
                presence["status"]
    run(scenario())


def test_a_failed_unit_turns_the_presence_to_away(adhocd, machine, prosody):
    async def scenario():
        async with xmpp_client(prosody, "user", "userpw") as user:
            heard = BotPresence(user, prosody.jid("bot"))
            await heard.available("", PROBE_TEXT)
            machine.run("systemctl", "start", FAILING)
            machine.wait_for_unit(FAILING, {"ActiveState": "failed"})
            away = await heard.available("away", f"failed: {FAILING}")
            assert away["status"].startswith(f"failed: {FAILING}"), away["status"]
            alert = await asyncio.wait_for(heard.messages.get(), 10)
            assert f"is warning (was ok): failed: {FAILING}" in alert["body"], alert["body"]

            machine.run("systemctl", "reset-failed", FAILING)
            await heard.available("", PROBE_TEXT)
    try:
        run(scenario())
    finally:
        machine.run("systemctl", "reset-failed", FAILING, check=False)
