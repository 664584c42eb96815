"""commands.d against hostile files and a full disk, driven from slixmpp against a real
Prosody: a symlinked script swapped after loading, a program whose directory becomes writable
by others, the audit log on a full file system, a stranger flooding refusals."""

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import Adhocd, command_nodes, execute, run, xmpp_client

NOBODY = 65534


def note(answer) -> tuple[str, str]:
    notes = answer["command"]["notes"]
    assert len(notes) == 1, notes
    return tuple(notes[0])


def outcomes(bot) -> list[dict]:
    """One audit entry per attempt: each run's `started` line is checked and left out."""
    entries = bot.audit_entries()
    started = {entry["run"]: index for index, entry in enumerate(entries) if entry.get("event") == "started"}
    finished = {entry["run"]: index for index, entry in enumerate(entries) if entry.get("event") == "finished"}
    assert started.keys() == finished.keys(), entries
    assert all(started[run_id] < finished[run_id] for run_id in started), entries
    return [entry for entry in entries if entry.get("event") != "started"]


def script(path: Path, body: str, mode: int = 0o755) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(mode)
    return path


@pytest.fixture
def bot(sandbox):
    daemon = Adhocd(sandbox, {"commands_d": {"kill_grace": 1}})
    yield daemon
    assert daemon.stop() == 0, daemon.log_text()[-2000:]


def test_a_swapped_target_is_refused_and_audited(sandbox, bot):
    marker = bot.dir / "swapped-in-ran"
    scripts = bot.dir / "scripts"
    scripts.mkdir(mode=0o755)
    target = script(scripts / "job.sh", "echo original\n")
    (bot.commands_dir / "job.sh").symlink_to(target)
    # A symlink into a directory others can write is not followed at all.
    shared = bot.dir / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (bot.commands_dir / "evil.sh").symlink_to(script(shared / "evil.sh", f"touch {marker}\n"))
    # A TOML definition's program, checked the same way.
    tools = bot.dir / "tools"
    tools.mkdir(mode=0o755)
    tool = script(tools / "tool", "echo tool\n")
    bot.add_command("tool.toml", f'exec = ["{tool}"]\n')
    bot.start()
    bot.wait_for_log(f"{bot.commands_dir}/evil.sh: is a symlink that is not safe to follow: {shared}, a directory on the way")

    async def scenario():
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            nodes = await command_nodes(admin, bot.jid)
            assert "job" in nodes and "tool" in nodes and "evil" not in nodes, nodes
            assert note(await execute(admin, bot.jid, "job")) == ("info", "original")
            assert note(await execute(admin, bot.jid, "tool")) == ("info", "tool")

            # Someone else gets write access to the target's directory and swaps the script.
            scripts.chmod(0o777)
            replacement = script(scripts / "job.new", f"touch {marker}\n")
            os.chown(replacement, NOBODY, NOBODY)
            os.rename(replacement, target)
            kind, text = note(await execute(admin, bot.jid, "job"))
            assert kind == "error" and text.startswith(f"Not run: {scripts}, a directory on the way to "), text
            # The directory made safe again and the file root's: still not the file that was loaded.
            scripts.chmod(0o755)
            os.chown(target, 0, 0)
            assert note(await execute(admin, bot.jid, "job")) == (
                "error", f"Not run: {bot.commands_dir}/job.sh changed after it was loaded; reload adhocd to run the new version.")

            tools.chmod(0o777)
            kind, text = note(await execute(admin, bot.jid, "tool"))
            assert kind == "error" and "is writable by others" in text, text
            tools.chmod(0o755)
            assert not marker.exists(), "the swapped-in file ran"

            # A reload accepts the file as it is now.
            bot.reload()
            assert note(await execute(admin, bot.jid, "job")) == ("info", "Done (no output).")
            assert marker.exists()
    run(scenario())
    refused = [entry for entry in outcomes(bot) if entry["decision"] == "not-run"]
    assert [entry["node"] for entry in refused] == ["job", "job", "tool"], refused
    assert all(entry["reason"].startswith("unsafe program: ") for entry in refused)
    assert "commands.d: job not run:" in bot.log_text()


@pytest.fixture
def tiny_disk(sandbox):
    """A 64 KiB tmpfs inside the sandbox, unmounted afterwards."""
    point = Path(sandbox.dir) / "tiny"
    point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = f"cannot mount a tmpfs (needs root with CAP_SYS_ADMIN): {mounted.stderr.strip()}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def fill(directory: Path) -> Path:
    """Writes a file until the file system is full."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    return filler


def test_a_full_disk_refuses_runs_rather_than_running_them_unaudited(sandbox, tiny_disk):
    audit_log = tiny_disk / "audit.jsonl"
    bot = Adhocd(sandbox, {"commands_d": {"audit_log": str(audit_log)}})
    bot.audit_log = audit_log
    runs = bot.dir / "runs.txt"
    bot.add_command("work.toml", f'exec = ["/bin/sh", "-c", "echo ran >> {runs}"]\noutput = "none"\n')
    bot.start()
    try:
        async def scenario():
            async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
                assert note(await execute(admin, bot.jid, "work")) == ("info", "Done.")

                # Leave less room in the log's last page than a line needs, then fill the disk:
                # the next line can only be written in part (a short write), then not at all.
                page = os.sysconf("SC_PAGE_SIZE")
                size = audit_log.stat().st_size
                padding = (page - size % page) - 100
                if padding < 20:
                    padding += page
                with open(audit_log, "a") as handle:
                    handle.write(json.dumps({"padding": "x" * (padding - 16)}) + "\n")
                filler = fill(tiny_disk)
                for _ in range(2):
                    kind, text = note(await execute(admin, bot.jid, "work"))
                    assert (kind, text) == (
                        "error", f"Not run: audit log unavailable: cannot write to {audit_log} (No space left on device)."), text

                filler.unlink()
                assert note(await execute(admin, bot.jid, "work")) == ("info", "Done.")
        run(scenario())
    finally:
        assert bot.stop() == 0, bot.log_text()[-2000:]
    assert runs.read_text().splitlines() == ["ran", "ran"], "a run went ahead unaudited"
    # Every line is whole JSON: the short write was cut back.
    entries = [entry for entry in outcomes(bot) if "padding" not in entry]
    assert [(entry["decision"], entry.get("outcome")) for entry in entries] == [("allowed", "exited"), ("allowed", "exited")]
    assert "could not append to the audit log" in bot.log_text()


def test_a_stranger_flooding_refusals_writes_a_few_short_lines(sandbox, bot):
    bot.add_command("secret.toml", 'exec = ["/bin/true"]\nallow = ["group:admins"]\n[[param]]\nvar = "value"\n')
    bot.start()
    log_before = len(bot.log_text())

    async def scenario():
        async with xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            for _ in range(30):
                with pytest.raises(IqError):
                    await execute(stranger, bot.jid, "secret", action="complete", form={"value": "A" * 100_000})
    run(scenario())
    entries = bot.audit_entries()
    assert 1 <= len(entries) <= 5, len(entries)
    assert all(entry["decision"] == "refused" for entry in entries)
    assert max(len(line) for line in bot.audit_log.read_text().splitlines()) <= 8192
    assert entries[0]["parameters"]["value"].endswith("…[cut: 100000 bytes]")
    # The journal got no more than the audit log did (plus the responder's own short lines).
    assert len(bot.log_text()) - log_before < 100_000
