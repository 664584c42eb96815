"""commands.d end to end: definition files run by the real adhocd, a real Prosody, and slixmpp."""

import asyncio
import json
import os
import time
from pathlib import Path

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import REPO, Adhocd, command_nodes, error_of, execute, set_roster_groups, xmpp_client

# Values that would do harm if anything split them or handed them to a shell.
HOSTILE_VALUES = [
    "; rm -rf /", "$(touch {marker})", "`touch {marker}`", "a b  c", "line\nbreak", "-rf", "--help",
    "ünïcødé ✓ 🚀", "'\"\\", "*", "${HOME}", "| touch {marker}", "&& touch {marker}", "",
]

# Prints its arguments and the parameter's environment variable as JSON.
ARGV_SCRIPT = """#!/usr/bin/python3
# adhocd:begin
# name = "Show arguments"
# allow = ["group:admins"]
# [[param]]
# var = "value"
# label = "Value"
# adhocd:end
import json, os, sys
print(json.dumps({"argv": sys.argv[1:], "env": os.environ["ADHOCD_PARAM_VALUE"],
                  "requester": os.environ["ADHOCD_REQUESTER"], "path": os.environ["PATH"]}))
"""


def is_running(pid: int) -> bool:
    """False once the process is gone or dead (a zombie waiting for init to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def note(answer) -> tuple[str, str]:
    notes = answer["command"]["notes"]
    assert len(notes) == 1, notes
    return notes[0]


async def make_admin(sandbox, contact="user"):
    """The bot's own account puts `contact` into roster group admins."""
    async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
        await set_roster_groups(admin, f"{contact}@{sandbox.domain}", ["admins"])
    await asyncio.sleep(0.2)


async def run_with(client, bot, node, form, confirm=None):
    """Executes `node`, submits `form` on its parameters stage, answers a confirmation if asked."""
    first = await execute(client, bot.jid, node)
    session = first["command"]["sessionid"]
    answer = await execute(client, bot.jid, node, action="complete" if confirm is None else "next",
                           sessionid=session, form=form)
    if confirm is not None:
        assert answer["command"]["status"] == "executing"
        answer = await execute(client, bot.jid, node, action="complete", sessionid=session,
                               form={"confirm": "true" if confirm else "false"})
    return answer


@pytest.fixture
def bot(sandbox):
    daemon = Adhocd(sandbox, {"commands_d": {"kill_grace": 1, "output_limit": 1024}})
    yield daemon
    assert daemon.stop() == 0, daemon.log_text()[-2000:]


def test_parameters_arrive_as_single_unchanged_arguments_never_through_a_shell(sandbox, bot):
    marker = bot.dir / "pwned"
    bot.add_command("argv.py", ARGV_SCRIPT, executable=True)
    bot.start()

    async def scenario():
        await make_admin(sandbox)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            assert "argv" in await command_nodes(user, bot.jid)
            first = await execute(user, bot.jid, "argv")
            assert [field for field in first["command"]["form"].get_fields()] == ["value"]
            await execute(user, bot.jid, "argv", action="cancel", sessionid=first["command"]["sessionid"])
            for template in HOSTILE_VALUES:
                value = template.replace("{marker}", str(marker))
                done = await run_with(user, bot, "argv", {"value": value})
                kind, text = note(done)
                assert kind == "info", text
                shown = json.loads(text)
                assert shown["argv"] == [value], (value, shown)
                assert shown["env"] == value
                assert shown["requester"] == f"user@{sandbox.domain}"
                assert shown["path"] == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    run(scenario())
    assert not marker.exists(), "a value reached a shell"
    entries = [entry for entry in bot.audit_entries() if entry["node"] == "argv"]
    # Each run has a `started` line before it is spawned, and a `finished` line with its ending.
    assert [entry["event"] for entry in entries] == ["started", "finished"] * len(HOSTILE_VALUES)
    assert all(a["run"] == b["run"] for a, b in zip(entries[::2], entries[1::2]))
    runs = entries[1::2]
    assert len(runs) == len(HOSTILE_VALUES)
    assert all(entry["decision"] == "allowed" and entry["exit_status"] == 0 for entry in runs)
    assert runs[0]["parameters"] == {"value": "; rm -rf /"}
    assert runs[0]["requester"] == f"user@{sandbox.domain}/pytest"


def install_examples(bot) -> Path:
    """Copies the repository's examples, with systemctl and journalctl replaced by a stub that
    records its arguments (the tests must not restart or reboot the machine)."""
    stub_log = bot.dir / "stub.log"
    stub = bot.dir / "fake-systemd-tool"
    stub.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" >> {stub_log}\necho \"journal lines for $*\"\n")
    stub.chmod(0o755)
    for example in sorted((REPO / "commands.d").iterdir()):
        if example.name == "README.md":
            continue
        text = example.read_text().replace("/usr/bin/systemctl", str(stub)).replace("/usr/bin/journalctl", str(stub))
        bot.add_command(example.name, text, executable=os.access(example, os.X_OK))
    return stub_log


def test_the_examples_run_from_a_real_client(sandbox, bot):
    stub_log = install_examples(bot)
    bot.start()

    async def scenario():
        await make_admin(sandbox)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            nodes = await command_nodes(user, bot.jid)
            assert set(nodes) >= {"uptime", "disk-usage", "journal", "reboot", "restart-service"}, nodes

            kind, text = note(await execute(user, bot.jid, "uptime"))
            assert kind == "info" and "load average" in text, text

            disks = (await execute(user, bot.jid, "disk-usage"))["command"]["form"]
            assert disks["type"] == "result" and disks["title"] == "Disk usage"
            assert [field["var"] for field in disks["reported"].values()] == ["mount", "size", "used", "free", "use"]
            assert any(item["mount"] == "/" for item in disks["items"]), disks

            first = await execute(user, bot.jid, "journal")
            fields = first["command"]["form"].get_fields()
            validate = fields["lines"].xml.find("{http://jabber.org/protocol/xdata-validate}validate")
            assert validate.get("datatype") == "xs:integer"
            limits = validate.find("{http://jabber.org/protocol/xdata-validate}range")
            assert (limits.get("min"), limits.get("max")) == ("1", "500")
            # Validated before anything runs: a unit name with a space, too many lines.
            # The form comes back with what was typed and a note naming each field.
            refused = await execute(user, bot.jid, "journal", action="complete", sessionid=first["command"]["sessionid"],
                                    form={"unit": "ssh.service; reboot", "lines": "100000"})
            assert refused["command"]["status"] == "executing"
            kind, text = note(refused)
            assert kind == "error" and "(unit): 'ssh.service; reboot' does not match" in text and "(lines): 100000 must be at least 1 and at most 500" in text, text
            assert refused["command"]["form"].get_fields()["unit"]["value"] == "ssh.service; reboot"
            kind, text = note(await run_with(user, bot, "journal", {"unit": "nginx.service", "lines": "5"}))
            assert text == "journal lines for --no-pager --output=short-iso --lines=5 --unit=nginx.service", text

            started = await execute(user, bot.jid, "restart-service")
            options = [option["value"] for option in started["command"]["form"].get_fields()["unit"]["options"]]
            assert options == ["nginx.service", "postgresql.service", "prosody.service"]
            asked = await execute(user, bot.jid, "restart-service", action="next",
                                  sessionid=started["command"]["sessionid"], form={"unit": "nginx.service"})
            form = asked["command"]["form"]
            assert form["instructions"] == "Restart nginx.service now? Its clients will be disconnected briefly."
            assert [field["type"] for field in form.get_fields().values()] == ["boolean"]
            done = await execute(user, bot.jid, "restart-service", action="complete",
                                 sessionid=started["command"]["sessionid"], form={"confirm": "true"})
            assert note(done) == ("info", "Done.")

            first = await execute(user, bot.jid, "reboot")
            assert first["command"]["form"]["instructions"].startswith("Reboot this machine now?")
            declined = await execute(user, bot.jid, "reboot", action="complete",
                                     sessionid=first["command"]["sessionid"], form={"confirm": "false"})
            assert note(declined) == ("info", "Nothing was run.")
    run(scenario())
    calls = stub_log.read_text().splitlines()
    assert calls == ["--no-pager", "--output=short-iso", "--lines=5", "--unit=nginx.service",
                     "restart", "--", "nginx.service"], calls
    decisions = [(entry["node"], entry["decision"]) for entry in bot.audit_entries() if entry.get("event") != "started"]
    assert decisions == [("uptime", "allowed"), ("disk-usage", "allowed"), ("journal", "allowed"),
                         ("restart-service", "allowed"), ("reboot", "declined")], decisions


def test_a_command_past_its_timeout_is_killed_with_its_children(sandbox, bot):
    pid_file = bot.dir / "grandchild.pid"
    bot.add_command("stuck.sh", f"""#!/bin/sh
# adhocd:begin
# name = "Stuck"
# timeout = "1s"
# adhocd:end
trap '' TERM
sh -c 'trap "" TERM; echo $$ > {pid_file}; exec sleep 60' &
echo working
sleep 60
""", executable=True)
    bot.start()

    async def scenario():
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            started = time.monotonic()
            kind, text = note(await execute(admin, bot.jid, "stuck"))
            assert kind == "error"
            assert text.startswith("Stopped after 1 s: Stuck ran past its time limit."), text
            assert "working" in text
            assert time.monotonic() - started < 6
    run(scenario())
    assert not is_running(int(pid_file.read_text())), "the grandchild survived the timeout"
    entry = bot.audit_entries()[-1]
    assert entry["outcome"] == "timed-out" and entry["signal"] == 9 and entry["exit_status"] is None


def test_output_over_the_cap_is_truncated(sandbox, bot):
    bot.add_command("chatty.toml", 'exec = ["/usr/bin/python3", "-c", "print(\\"x\\" * 5000)"]\n')
    bot.start()

    async def scenario():
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            kind, text = note(await execute(admin, bot.jid, "chatty"))
            assert kind == "info"
            assert text == "x" * 1024 + "\n[output truncated: 5001 bytes written, 1024 shown]"
    run(scenario())
    assert bot.audit_entries()[-1]["output_truncated"] is True


def test_a_disallowed_contact_is_refused_and_the_refusal_is_audited(sandbox, bot):
    bot.add_command("uptime.toml", 'exec = ["/usr/bin/uptime"]\nallow = ["group:admins"]\n')
    bot.start()

    async def scenario():
        await make_admin(sandbox)
        async with xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            assert await command_nodes(stranger, bot.jid) == []
            with pytest.raises(IqError) as refused:
                await execute(stranger, bot.jid, "uptime")
            # As for a node that does not exist: nothing to probe.
            assert error_of(refused.value) == ("item-not-found", None)
    run(scenario())
    entries = bot.audit_entries()
    assert len(entries) == 1
    assert entries[0]["requester"] == f"stranger@{sandbox.domain}/pytest"
    assert entries[0]["decision"] == "refused" and entries[0]["node"] == "uptime"
    assert "commands.d refused" in bot.log_text()


def test_files_added_changed_and_removed_apply_on_reload(sandbox, bot):
    bot.add_command("first.toml", 'name = "First"\nexec = ["/bin/echo", "one"]\n')
    bot.start()

    async def scenario():
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            assert "first" in await command_nodes(admin, bot.jid)
            assert "second" not in await command_nodes(admin, bot.jid)

            bot.add_command("second.sh", "#!/bin/sh\necho two\n", executable=True)
            bot.add_command("first.toml", 'name = "First, changed"\nexec = ["/bin/echo", "uno"]\n')
            bot.add_command("broken.toml", 'name = "Broken"\nexec = ["/bin/echo"]\noutput = "html"\n')
            shared = bot.add_command("shared.toml", 'exec = ["/bin/echo"]\n')
            shared.chmod(0o666)
            mark = len(bot.log_text())
            bot.reload()
            log = bot.log_text()[mark:]
            assert "commands.d: added second; changed first" in log, log
            assert f"{bot.commands_dir}/broken.toml:3: output:" in log
            assert f"chmod go-w {bot.commands_dir}/shared.toml" in log
            nodes = await command_nodes(admin, bot.jid)
            assert "second" in nodes and "first" in nodes and "broken" not in nodes and "shared" not in nodes
            assert note(await execute(admin, bot.jid, "first")) == ("info", "uno")
            assert note(await execute(admin, bot.jid, "second")) == ("info", "two")

            (bot.commands_dir / "second.sh").unlink()
            done = await execute(admin, bot.jid, "reload")
            assert "commands.d: removed second" in note(done)[1], note(done)
            assert "second" not in await command_nodes(admin, bot.jid)
    run(scenario())


def test_a_long_run_blocks_neither_pings_nor_other_commands(sandbox, bot):
    bot.add_command("slow.toml", 'exec = ["/bin/sleep", "3"]\noutput = "none"\n')
    bot.add_command("quick.toml", 'exec = ["/bin/echo", "quick"]\n')
    bot.start()

    async def scenario():
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            slow = asyncio.ensure_future(execute(admin, bot.jid, "slow"))
            await asyncio.sleep(0.5)
            started = time.monotonic()
            await admin.plugin["xep_0199"].ping(bot.jid, timeout=5)
            assert note(await execute(admin, bot.jid, "quick")) == ("info", "quick")
            assert time.monotonic() - started < 1.5
            assert not slow.done()
            assert note(await slow) == ("info", "Done.")
    run(scenario())
