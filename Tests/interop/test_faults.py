"""Faults lose nothing (issue 12): the real adhocd behind a proxy the test controls, a real Prosody,
slixmpp as the contact (connected to Prosody directly, so only the bot's connection suffers).

- the bot's connection cut mid-run, 10 times; its reply swallowed and the connection then cut,
  10 times: every request answered, exactly once, no program run twice, the session resumed;
  against Prosody (mod_smacks) and ejabberd (mod_stream_mgmt);
- the server killed and restarted under load from 4 clients: no crash, the bot back within its
  backoff, every request answered or refused with an error the client sees.

scripts/soak-faults runs the same for an hour and reports counts.
"""

import asyncio
import re
import time

from adhocd_harness import Adhocd, join_group, run, xmpp_client
from fault_proxy import FaultProxy
from fault_scenarios import (LoadTally, audited_runs_by_tag, deliveries_by_tag, install_job, load_client,
                             make_admin, run_job_through_fault, runs_by_tag)

ROUNDS = 10


def test_runs_survive_cut_connections_and_lost_replies(any_server):
    sandbox = any_server
    with FaultProxy(sandbox.host, sandbox.c2s_port) as proxy:
        bot = Adhocd(sandbox, {"account": {"port": proxy.port}})
        runs_log = install_job(bot)
        bot.start()
        answers: dict[str, str] = {}

        async def scenario():
            await make_admin(sandbox)
            async with xmpp_client(sandbox, "user", "userpw") as user:
                # A control run without a fault.
                answers["control"] = await run_job_through_fault(user, bot, proxy, "control", "none")
                for fault in ("cut", "swallow"):
                    for index in range(ROUNDS):
                        tag = f"{fault}-{index}"
                        answers[tag] = await run_job_through_fault(user, bot, proxy, tag, fault)
            # The last answer's delivery line follows the server's acknowledgement of it.
            deadline = time.monotonic() + 10
            while sum(map(len, deliveries_by_tag(bot).values())) < 1 + 2 * ROUNDS and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        try:
            run(scenario(), timeout=300)
        except BaseException:
            print(f"answers so far: {answers}\nadhocd log:\n{bot.log_text()[-12000:]}")
            raise
        finally:
            assert bot.stop() == 0, bot.log_text()[-3000:]

    tags = ["control"] + [f"{fault}-{index}" for fault in ("cut", "swallow") for index in range(ROUNDS)]
    unanswered = [tag for tag in tags if answers.get(tag) != f"done {tag}"]
    assert not unanswered, f"no answer for {unanswered}: {answers}"
    # Each program ran exactly once: its own log and the audit log agree.
    ran = runs_by_tag(runs_log)
    assert ran == {tag: 1 for tag in tags}, ran
    assert audited_runs_by_tag(bot) == {tag: 1 for tag in tags}
    log = bot.log_text()
    resumptions = log.count("resumed the session")
    assert resumptions >= 2 * ROUNDS, f"{resumptions} resumptions in the bot's log"
    # Answers of the faulted runs were delivered after resumption, as the log says.
    assert len(re.findall(r"answer delivered after resumption", log)) >= ROUNDS
    # The audit log says how each answer went: one `delivered` line per run, acknowledged by
    # the server; the control run's live, the faulted ones' on the resumed stream.
    deliveries = deliveries_by_tag(bot)
    assert {tag: len(deliveries.get(tag, [])) for tag in tags} == {tag: 1 for tag in tags}, deliveries
    assert all(lines[0]["acknowledged"] for lines in deliveries.values()), deliveries
    assert deliveries["control"][0]["delivery"] == "live", deliveries["control"]
    faulted = [deliveries[tag][0]["delivery"] for tag in tags if tag != "control"]
    assert set(faulted) <= {"after resumption", "on a new stream"}, faulted
    assert faulted.count("after resumption") >= ROUNDS, faulted
    print(f"faults ({type(sandbox).__name__}): {2 * ROUNDS} runs cut or with a lost reply, {len(tags)} answered, "
          f"{sum(ran.values())} program runs, {resumptions} resumptions")


def test_the_server_killed_and_restarted_under_load(sandbox):
    names = [f"load{index}" for index in range(4)]
    for name in names:
        sandbox.register(name, "loadpw")
    bot = Adhocd(sandbox, {
        "commands.status": {"allow": ["self", "group:coloc"]},
        "connection": {"reconnect_max_delay": 8},
    }).start()
    tally = LoadTally()
    timings: dict[str, float] = {}

    async def scenario():
        for name in names:
            await join_group(sandbox, name, ("coloc",))
        stop = asyncio.Event()
        clients = [asyncio.ensure_future(load_client(sandbox, name, "loadpw", bot.jid, "status", stop, tally))
                   for name in names]
        await asyncio.sleep(4)
        before = tally.answered
        mark = len(bot.log_text())
        sandbox.kill()
        killed = time.monotonic()
        await asyncio.sleep(2)
        sandbox.restart()
        # Back online within the backoff (at most 8 s here) once the server listens again.
        while "[XMPPClient] connected" not in bot.log_text()[mark:]:
            assert time.monotonic() - killed < 30, bot.log_text()[-3000:]
            await asyncio.sleep(0.1)
        timings["back after the kill"] = time.monotonic() - killed
        after = tally.answered
        await asyncio.sleep(6)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*clients), 30)
        timings["answered before"] = before
        timings["answered after the restart"] = tally.answered - after
    try:
        run(scenario(), timeout=180)
    finally:
        status = bot.stop()
    assert status == 0, bot.log_text()[-3000:]
    assert tally.unanswered == 0, f"{tally}"
    assert timings["answered before"] > 0 and timings["answered after the restart"] > 0, (timings, tally)
    print(f"server restart under load: {tally}, {timings}")
