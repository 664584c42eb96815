"""Fault scenarios shared by the interop tests (test_faults.py) and the soak script
(scripts/soak-faults): a commands.d job that logs its own runs, a request whose connection is cut
mid-run or whose reply is swallowed before the cut, and clients loading the bot while the server
is killed and restarted."""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass, field
from pathlib import Path

from slixmpp.exceptions import IqError, IqTimeout

from adhocd_harness import execute, set_roster_groups, xmpp_client

# A job that writes one line per run into its own log before it works, so the test can count
# runs independently of adhocd's audit log.
JOB_SCRIPT = """#!/usr/bin/python3
# adhocd:begin
# name = "Slow job"
# allow = ["group:admins"]
# timeout = "30s"
# [[param]]
# var = "tag"
# label = "Tag"
# adhocd:end
import os, time
tag = os.environ["ADHOCD_PARAM_TAG"]
with open({runs!r}, "a") as log:
    log.write(f"start {{tag}}\\n")
time.sleep({seconds})
print(f"done {{tag}}")
"""

# When a fault strikes in a 1.5 s run: a cut at 0.5 s; for a lost reply, the bot's bytes are
# swallowed from 1.2 s (the reply is written at 1.5 s) and the connection cut at 2.0 s.
RUN_SECONDS = 1.5
CUT_AT = 0.5
SWALLOW_FROM = 1.2
SWALLOW_CUT_AT = 2.0


def install_job(bot, seconds: float = RUN_SECONDS) -> Path:
    """Adds the job to the bot's commands.d; returns the path of the job's own run log."""
    runs = bot.dir / "runs.log"
    bot.add_command("job.py", JOB_SCRIPT.format(runs=str(runs), seconds=seconds), executable=True)
    return runs


async def make_admin(sandbox, contact: str = "user") -> None:
    async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
        await set_roster_groups(admin, f"{contact}@{sandbox.domain}", ["admins"])
    await asyncio.sleep(0.2)


async def run_job_through_fault(user, bot, proxy, tag: str, fault: str) -> str:
    """Runs the job once with `fault` ("cut", "swallow" or "none") striking mid-run; returns the
    note the requester finally got ("" when none came)."""
    first = await execute(user, bot.jid, "job")
    session = first["command"]["sessionid"]
    submitted = asyncio.ensure_future(
        execute(user, bot.jid, "job", action="complete", sessionid=session, form={"tag": tag}))
    started = time.monotonic()

    async def at(moment: float) -> None:
        await asyncio.sleep(max(0.0, moment - (time.monotonic() - started)))

    if fault == "cut":
        await at(CUT_AT)
        proxy.cut()
    elif fault == "swallow":
        await at(SWALLOW_FROM)
        proxy.swallow_upstream()
        await at(SWALLOW_CUT_AT)
        proxy.cut()
    try:
        answer = await submitted
    except (IqError, IqTimeout):
        return ""
    notes = answer["command"]["notes"]
    return notes[0][1] if notes else ""


def runs_by_tag(runs_log: Path) -> collections.Counter:
    """How often the job itself says each tag ran."""
    if not runs_log.exists():
        return collections.Counter()
    return collections.Counter(line.split(" ", 1)[1] for line in runs_log.read_text().splitlines() if line.startswith("start "))


def audited_runs_by_tag(bot) -> collections.Counter:
    """How often the audit log says each tag ran to its end."""
    counts = collections.Counter()
    for entry in bot.audit_entries():
        if entry.get("node") == "job" and entry.get("decision") == "allowed" and entry.get("outcome"):
            counts[entry.get("parameters", {}).get("tag")] += 1
    return counts


def deliveries_by_tag(bot) -> dict[str, list[dict]]:
    """The `delivered` audit lines of each tag's runs: how the client says each answer went."""
    entries = bot.audit_entries(delivered=True)
    tag_of_run = {entry.get("run"): entry.get("parameters", {}).get("tag") for entry in entries
                  if entry.get("node") == "job" and entry.get("event") == "started"}
    deliveries: dict[str, list[dict]] = collections.defaultdict(list)
    for entry in entries:
        if entry.get("event") == "delivered" and entry.get("run") in tag_of_run:
            deliveries[tag_of_run[entry["run"]]].append(entry)
    return deliveries


@dataclass
class LoadTally:
    """Outcomes of the requests of the load clients."""
    answered: int = 0
    refused: collections.Counter = field(default_factory=collections.Counter)
    # No answer while the client's own connection stayed up: what must never happen.
    unanswered: int = 0
    # In flight when the client's own connection went (the server died under it).
    lost_with_client: int = 0
    reconnects: int = 0


async def load_client(sandbox, name: str, password: str, bot_jid: str, node: str, stop: asyncio.Event,
                      tally: LoadTally, timeout: float = 8) -> None:
    """Runs `node` in a loop until `stop`, reconnecting after its own connection is lost."""
    while not stop.is_set():
        try:
            async with xmpp_client(sandbox, name, password, resource="load") as client:
                lost = asyncio.Event()
                client.add_event_handler("disconnected", lambda _: lost.set())
                while not stop.is_set() and not lost.is_set():
                    request = asyncio.ensure_future(execute(client, bot_jid, node, timeout=timeout))
                    gone = asyncio.ensure_future(lost.wait())
                    await asyncio.wait({request, gone}, return_when=asyncio.FIRST_COMPLETED)
                    gone.cancel()
                    if not request.done():
                        # The client's own connection went with the server: it knows it lost this one.
                        request.cancel()
                        tally.lost_with_client += 1
                        break
                    try:
                        request.result()
                        tally.answered += 1
                    except IqError as error:
                        tally.refused[error.iq["error"]["condition"]] += 1
                        await asyncio.sleep(0.2)
                    except IqTimeout:
                        if lost.is_set():
                            tally.lost_with_client += 1
                        else:
                            tally.unanswered += 1
        except (RuntimeError, OSError, asyncio.TimeoutError):
            pass
        if not stop.is_set():
            tally.reconnects += 1
            await asyncio.sleep(0.5)
