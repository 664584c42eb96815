"""The system unit as shipped, under a real systemd: online with its full sandbox, reload,
`ExecStartPre=adhocd check`, the restart after a crash, and the exposure score."""

import re
import time

from adhocd_harness import BotPresence, command_nodes, execute, is_available, notes, run, wait_for, xmpp_client
from adhocd_service import CONFIG, edit
from support import SYSTEM_UNIT, SYSTEM_UNIT_EXPOSURE_BOUND, exposure_score

RESTART_SEC = 5


def unavailable(presence) -> bool:
    return presence["type"] == "unavailable"


async def wait_until_online(prosody):
    """Until the bot is available to its subscriber `user` (a request sent before would get
    service-unavailable from the server)."""
    async with xmpp_client(prosody, "user", "userpw") as user:
        await BotPresence(user, prosody.jid("bot")).next(is_available, timeout=30)


def test_online_under_the_unit_as_shipped(adhocd, machine, prosody):
    # The package installs the repository's unit unchanged, and nothing overrides it.
    assert machine.read_file("/lib/systemd/system/adhocd.service") == SYSTEM_UNIT.read_text()
    assert machine.unit_property("adhocd", "DropInPaths") == ""
    machine.wait_for_unit("adhocd", {"ActiveState": "active", "SubState": "running"})
    assert machine.output("ps", "-o", "user=", "-p", str(adhocd.main_pid())) == "adhocd"
    assert machine.unit_property("adhocd", "CapabilityBoundingSet") == ""
    # Accepted by systemd (enforcing them needs cgroup controllers this container may lack).
    assert (machine.unit_property("adhocd", "TasksMax"), machine.unit_property("adhocd", "MemoryMax")) == (
        "256", str(512 * 1024 * 1024))

    async def scenario():
        async with xmpp_client(prosody, "user", "userpw") as user:
            nodes = await command_nodes(user, adhocd.jid)
            assert {"status", "uptime", "restart-service", "systemd/adhocd-test-target.service/restart"} <= set(nodes)
            # `status` reads /proc and statvfs inside the sandbox.
            status = (await execute(user, adhocd.jid, "status"))["command"]["form"]
            fields = status.get_fields()
            assert re.fullmatch(r"[\d.]+ [\d.]+ [\d.]+", fields["load"]["value"]), fields["load"]["value"]
            assert " used (" in fields["memory"]["value"], fields["memory"]["value"]
            assert any(item["mount"] == "/" for item in status["items"]), status
            # A commands.d program runs in the same sandbox.
            [(kind, text)] = notes(await execute(user, adhocd.jid, "uptime"))
            assert kind == "info" and "load average" in text, text
    run(scenario())


def test_reload_rereads_the_configuration_without_dropping_the_connection(adhocd, machine, prosody):
    original = machine.read_file(CONFIG)
    pid = adhocd.main_pid()

    async def scenario():
        async with xmpp_client(prosody, "user", "userpw") as user:
            heard = BotPresence(user, prosody.jid("bot"))
            await heard.next(is_available)
            assert "echo" not in await command_nodes(user, adhocd.jid)
            machine.write_file(CONFIG, original + '\n[commands.echo]\nenabled = true\nallow = ["group:admins"]\n',
                               mode="640", group="adhocd")
            machine.run("systemctl", "reload", "adhocd")
            await wait_for(lambda: has_echo(user), True, timeout=10)
            await heard.nothing_for(2, unavailable)

    async def has_echo(user):
        return "echo" in await command_nodes(user, adhocd.jid)

    try:
        run(scenario())
        assert adhocd.main_pid() == pid
    finally:
        machine.write_file(CONFIG, original, mode="640", group="adhocd")
        machine.run("systemctl", "reload", "adhocd")


def test_a_broken_configuration_is_refused_by_exec_start_pre_and_not_restarted(adhocd, machine, prosody):
    original = machine.read_file(CONFIG)
    restarts = machine.unit_property("adhocd", "NRestarts")
    try:
        machine.write_file(CONFIG, edit(original, 'resource = "adhocd"\n', 'resource = "adhocd"\nresorce = "typo"\n'),
                           mode="640", group="adhocd")
        # Type=exec: the restart itself succeeds once `run` has started, and `run` exits 78.
        machine.run("systemctl", "restart", "adhocd", check=False)
        machine.wait_for_unit("adhocd", {"ActiveState": "failed", "Result": "exit-code", "ExecMainStatus": "78"})
        assert "status=78" in machine.unit_property("adhocd", "ExecStartPre")
        # RestartSec passes, and nothing restarts it.
        time.sleep(RESTART_SEC + 1.5)
        assert machine.unit_property("adhocd", "ActiveState") == "failed"
        assert machine.unit_property("adhocd", "NRestarts") == restarts
        errors = machine.journal("-u", "adhocd", "-p", "err", "-o", "cat")
        assert re.search(r"^/etc/adhocd/adhocd.toml:\d+: account.resorce: unknown key \(did you mean 'resource'\?\)",
                         errors, re.M), errors
    finally:
        machine.write_file(CONFIG, original, mode="640", group="adhocd")
        machine.run("systemctl", "reset-failed", "adhocd", check=False)
        machine.run("systemctl", "start", "adhocd")
    run(wait_until_online(prosody))


def test_a_killed_daemon_is_restarted_after_restart_sec(adhocd, machine, prosody):
    pid = adhocd.main_pid()
    restarts = int(machine.unit_property("adhocd", "NRestarts"))

    async def scenario():
        async with xmpp_client(prosody, "user", "userpw") as user:
            heard = BotPresence(user, prosody.jid("bot"))
            await heard.next(is_available)
            machine.run("kill", "-KILL", str(pid))
            # The server sees the connection drop, then the new process logs in.
            await heard.next(unavailable, timeout=10)
            await heard.next(is_available, timeout=RESTART_SEC + 20)
    run(scenario())
    machine.wait_for_unit("adhocd", {"ActiveState": "active", "NRestarts": str(restarts + 1)})
    assert adhocd.main_pid() != pid
    left = int(machine.unit_property("adhocd", "ActiveExitTimestampMonotonic"))
    back = int(machine.unit_property("adhocd", "ActiveEnterTimestampMonotonic"))
    assert RESTART_SEC <= (back - left) / 1e6 < RESTART_SEC + 5, (left, back)


def test_the_booted_systems_exposure_score_is_what_the_packaging_test_promises(adhocd, machine):
    analysis = machine.output("systemd-analyze", "security", "--no-pager", "adhocd.service")
    score = exposure_score(analysis, "adhocd.service")
    assert score <= SYSTEM_UNIT_EXPOSURE_BOUND, analysis



