"""Restarting services remotely, on a real systemd: the `systemd` preset over D-Bus and a
commands.d command running `systemctl restart`, both allowed by the polkit rule alone."""

import json

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import command_nodes, error_of, execute, form_fields, notes, run, xmpp_client
from adhocd_service import AUDIT_LOG, OTHER, TARGET

STOP_AND_GO = ("status", "start", "stop", "restart")


def node(unit: str, operation: str) -> str:
    return f"systemd/{unit}/{operation}"


async def confirmed(client, bot_jid: str, command: str):
    """Runs a preset command that asks first, answering yes."""
    asked = await execute(client, bot_jid, command)
    assert form_fields(asked)["confirm"]["type"] == "boolean"
    return await execute(client, bot_jid, command, action="complete", sessionid=asked["command"]["sessionid"],
                         form={"confirm": "true"})


def test_the_systemd_preset_controls_a_real_unit(adhocd, machine, prosody):
    before = adhocd.invocation(TARGET)
    other = adhocd.invocation(OTHER)

    async def scenario():
        async with xmpp_client(prosody, "user", "userpw") as admin, \
                xmpp_client(prosody, "stranger", "strangerpw") as stranger:
            nodes = await command_nodes(admin, adhocd.jid)
            assert [name for name in nodes if name.startswith("systemd/")] == [node(TARGET, op) for op in STOP_AND_GO]
            assert await command_nodes(stranger, adhocd.jid) == []

            [status] = notes(await execute(admin, adhocd.jid, node(TARGET, "status")))
            assert status == ("info", f"{TARGET} is active (running).")

            [(kind, text)] = notes(await confirmed(admin, adhocd.jid, node(TARGET, "restart")))
            assert kind == "info" and text.startswith(f"Restart of {TARGET} queued"), text
            machine.wait_for_unit(TARGET, {"ActiveState": "active"})
            assert adhocd.invocation(TARGET) != before

            # The answer says the state right after the job was queued: stopping, or stopped.
            [(kind, text)] = notes(await confirmed(admin, adhocd.jid, node(TARGET, "stop")))
            assert kind == "info" and text in (f"Stop of {TARGET} queued; it is {state} now." for state in (
                "deactivating (stop-sigterm)", "inactive (dead)")), text
            machine.wait_for_unit(TARGET, {"ActiveState": "inactive"})
            [status] = notes(await execute(admin, adhocd.jid, node(TARGET, "status")))
            assert status == ("info", f"{TARGET} is inactive (dead).")

            [(kind, text)] = notes(await execute(admin, adhocd.jid, node(TARGET, "start")))
            assert kind == "info" and text.startswith(f"Start of {TARGET} queued"), text
            machine.wait_for_unit(TARGET, {"ActiveState": "active", "SubState": "running"})
            [status] = notes(await execute(admin, adhocd.jid, node(TARGET, "status")))
            assert status == ("info", f"{TARGET} is active (running).")

            # A unit outside `units` has no command, whatever polkit would say.
            for operation in STOP_AND_GO:
                with pytest.raises(IqError) as refused:
                    await execute(admin, adhocd.jid, node(OTHER, operation))
                assert error_of(refused.value)[0] == "item-not-found"
    try:
        run(scenario())
    finally:
        machine.run("systemctl", "start", TARGET)
    assert adhocd.invocation(OTHER) == other


def test_without_the_polkit_rule_the_answer_is_a_permission_error(adhocd, machine, prosody):
    before = adhocd.invocation(TARGET)
    adhocd.forbid_in_polkit()
    try:
        async def scenario():
            async with xmpp_client(prosody, "user", "userpw") as admin:
                # Reading the state needs no permission.
                [status] = notes(await execute(admin, adhocd.jid, node(TARGET, "status")))
                assert status == ("info", f"{TARGET} is active (running).")
                [(kind, text)] = notes(await confirmed(admin, adhocd.jid, node(TARGET, "restart")))
                assert kind == "error", text
                assert text.startswith(f"Restart {TARGET} failed: org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"), text
        run(scenario())
    finally:
        adhocd.allow_in_polkit()
    assert adhocd.invocation(TARGET) == before


def test_a_commands_d_command_restarts_the_unit_with_systemctl(adhocd, machine, prosody):
    before = adhocd.invocation(TARGET)

    async def scenario():
        async with xmpp_client(prosody, "user", "userpw") as admin:
            started = await execute(admin, adhocd.jid, "restart-service")
            session = started["command"]["sessionid"]
            await execute(admin, adhocd.jid, "restart-service", action="next", sessionid=session, form={"unit": TARGET})
            done = await execute(admin, adhocd.jid, "restart-service", action="complete", sessionid=session,
                                 form={"confirm": "true"})
            assert notes(done) == [("info", "Done.")], notes(done)
    run(scenario())
    assert adhocd.invocation(TARGET) != before
    assert machine.unit_property(TARGET, "ActiveState") == "active"
    last = json.loads(machine.read_file(AUDIT_LOG).splitlines()[-1])
    assert (last["node"], last["parameters"], last["outcome"], last["exit_status"]) == (
        "restart-service", {"unit": TARGET}, "exited", 0), last
