"""The chat front end end to end: slixmpp as a client with no command UI (plain chat messages, as
Conversations, Monal or Dino send them) → a real Prosody → the real adhocd.

The same commands, rules, validation, confirmations and audit as the XEP-0050 path, which some
tests drive side by side for comparison."""

import asyncio
import contextlib
import json
import shutil
import tempfile
import time
import xml.etree.ElementTree as ET

import pytest

from adhocd_harness import Adhocd, BotChat, command_nodes, execute, join_group, run, xmpp_client
from conftest import ACCOUNTS
from prosody_sandbox import Sandbox
from test_commands_d import ARGV_SCRIPT, HOSTILE_VALUES, install_examples, note
from test_dbus import MPV, bus, player_becomes, player_status, require  # noqa: F401 (bus is a fixture)

HINTS = "urn:xmpp:hints"
RECEIPTS = "urn:xmpp:receipts"
CHAT_STATES = "http://jabber.org/protocol/chatstates"


@pytest.fixture
def bot(sandbox):
    daemon = Adhocd(sandbox, {"commands_d": {"kill_grace": 1}, "commands.status": {"allow": ["self", "group:coloc"]}})
    yield daemon
    assert daemon.stop() == 0, daemon.log_text()[-3000:]


@contextlib.asynccontextmanager
async def chatting(sandbox, bot, group: str):
    """The contact `user`, put into `group`, chatting with the bot from a client."""
    await join_group(sandbox, "user", (group,))
    async with xmpp_client(sandbox, "user", "userpw") as user:
        yield BotChat(user, bot.jid)


def audit_lines(bot, node=None):
    """The audit log without what differs between two runs (time, run id, duration) or between
    the front ends (which one, the request's stanza id)."""
    return [{key: value for key, value in entry.items() if key not in ("time", "run", "duration", "via", "request")}
            for entry in bot.audit_entries() if node is None or entry["node"] == node]


def test_help_lists_exactly_what_the_rules_allow_and_a_stranger_hears_nothing(sandbox, bot):
    install_examples(bot)
    bot.start()

    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user, xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            chat = BotChat(user, bot.jid)
            help_text = await chat.say("help")
            listed = [line.split(". ", 1)[1].split(" · ")[-1] for line in help_text.splitlines() if line[:1].isdigit()]
            # Exactly the nodes the XEP-0050 path lists for this contact, in the same order.
            assert listed == await command_nodes(user, bot.jid) == ["status", "uptime"], help_text
            assert f"xmpp:{bot.jid}?command;node=uptime" in help_text
            assert "reboot" not in help_text and "restart-service" not in help_text
            assert "load average" in await chat.say("2")
            assert "load average" in await chat.say("Uptime and load")

            # Receipts when asked; answers marked as automated but stored; chat features advertised.
            request = user.make_message(mto=bot.jid.split("/")[0], mbody="status", mtype="chat")
            request["id"] = "receipt-me"
            request.xml.append(ET.Element(f"{{{RECEIPTS}}}request"))
            request.send()
            assert (await chat.answer()).startswith("*Status of ")
            receipts = [s for s in chat.stanzas if s.xml.find(f"{{{RECEIPTS}}}received") is not None]
            assert [s.xml.find(f"{{{RECEIPTS}}}received").get("id") for s in receipts] == ["receipt-me"]
            answered = [s for s in chat.stanzas if s["body"]]
            assert all(s.xml.find(f"{{{HINTS}}}no-copy") is not None for s in answered)
            assert all(s.xml.find(f"{{{HINTS}}}no-store") is None for s in answered)
            assert all(s.xml.find(f"{{{CHAT_STATES}}}active") is not None for s in answered)
            info = await user.plugin["xep_0030"].get_info(bot.jid)
            assert {RECEIPTS, CHAT_STATES} <= set(info["disco_info"]["features"])

            # A contact no rule admits: no list, no node, nothing run, not even a receipt.
            stranger_chat = BotChat(stranger, bot.jid)
            for line in ["help", "?", "uptime", "1", "reboot"]:
                stranger_chat.send(line)
            await stranger_chat.silence(3)
            assert stranger_chat.stanzas == []
    run(scenario())
    refusals = [(entry["node"], entry["decision"]) for entry in bot.audit_entries() if entry["requester"].startswith("stranger@")]
    assert refusals == [("uptime", "refused"), ("reboot", "refused")], refusals
    assert "chat from a contact no rule admits: not answered" in bot.log_text()


def test_a_hostile_value_reaches_the_program_as_exactly_one_argument(sandbox, bot):
    # Many lines in quick succession: this test is not about floods.
    bot.tables["chat"] = {"rate_burst": 1000}
    bot.write_config()
    marker = bot.dir / "pwned"
    bot.add_command("argv.py", ARGV_SCRIPT, executable=True)
    bot.start()
    values = [template.replace("{marker}", str(marker)) for template in HOSTILE_VALUES if template.strip()]

    async def scenario():
        async with chatting(sandbox, bot, "admins") as chat:
            for value in values:
                # Asked as a question, answered with the value alone.
                assert await chat.say("argv") == "*Show arguments*\nValue?\n(. to leave it empty)"
                answer = await chat.say(value)
                assert answer.startswith("{"), (value, answer)
                shown = json.loads(answer)
                assert shown["argv"] == [value] and shown["env"] == value, (value, shown)
                # The rest of the line, as typed, for a command with one parameter.
                shown = json.loads(await chat.say(f"argv {value}"))
                assert shown["argv"] == [value], (value, shown)
            assert json.loads(await chat.say('argv value="two words"'))["argv"] == ["two words"]
    run(scenario())
    assert not marker.exists(), "a value reached a shell"
    runs = [entry for entry in bot.audit_entries() if entry.get("event") == "finished"]
    assert len(runs) == 2 * len(values) + 1
    assert all(entry["exit_status"] == 0 and entry["requester"] == f"user@{sandbox.domain}/pytest" for entry in runs)


def test_an_admin_restarts_a_service_after_a_yes_no_question(sandbox, bot):
    stub_log = install_examples(bot)
    bot.start()

    async def scenario():
        async with chatting(sandbox, bot, "admins") as chat:
            # Numbered options, answered by number.
            assert await chat.say("restart") == (
                "*Restart a service*\nRestarts a systemd unit and waits until it is up again.\nService?\n"
                "1. Web server (nginx) (nginx.service)\n2. Database (PostgreSQL) (postgresql.service)\n"
                "3. XMPP server (Prosody) (prosody.service)\n(Answer with a number)")
            assert await chat.say("4") == (
                "Service: answer with a number from 1 to 3, or a value from the list.\nService?\n"
                "1. Web server (nginx) (nginx.service)\n2. Database (PostgreSQL) (postgresql.service)\n"
                "3. XMPP server (Prosody) (prosody.service)\n(Answer with a number)")
            question = ("*Restart a service*\nRestart postgresql.service now? Its clients will be disconnected briefly.\n"
                        "(yes or no; cancel stops the command)")
            assert await chat.say("2") == question
            assert not stub_log.exists()
            assert await chat.say("yes") == "Done."
            # Inline values: straight to the question, which the line can never answer.
            assert await chat.say("restart-service unit=prosody.service") == question.replace("postgresql", "prosody")
            assert await chat.say("no") == "Nothing was run."
            assert (await chat.say("reboot")).startswith("*Reboot*\nReboot this machine now?")
            assert await chat.say("n") == "Nothing was run."
    run(scenario())
    assert stub_log.read_text().splitlines() == ["restart", "--", "postgresql.service"]
    decisions = [(entry["node"], entry["decision"]) for entry in bot.audit_entries() if entry.get("event") != "started"]
    assert decisions == [("restart-service", "allowed"), ("restart-service", "declined"), ("reboot", "declined")], decisions


def test_a_value_out_of_range_is_asked_again_back_and_cancel(sandbox, bot):
    stub_log = install_examples(bot)
    bot.start()

    async def scenario():
        async with chatting(sandbox, bot, "admins") as chat:
            unit = "Unit (1 of 2)?\n(A value matching [A-Za-z0-9@._:-]+; empty or . keeps ssh.service)"
            lines = "Lines (2 of 2)?\n(A whole number, at least 1 and at most 500; empty or . keeps 30)"
            assert await chat.say("journal") == (
                "*Journal of a unit*\nThe last lines the systemd journal holds for one unit.\n" + unit)
            assert await chat.say("nginx.service; reboot") == (
                "Unit: 'nginx.service; reboot' does not match [A-Za-z0-9@._:-]+.\n" + unit)
            assert await chat.say("nginx.service") == lines
            assert await chat.say("100000") == "Lines: 100000 must be at least 1 and at most 500.\n" + lines
            assert await chat.say("back") == unit.replace("keeps ssh.service", "keeps nginx.service")
            assert await chat.say("ssh.service") == lines
            assert await chat.say("5") == "journal lines for --no-pager --output=short-iso --lines=5 --unit=ssh.service"
            # Cancel runs nothing.
            await chat.say("journal")
            assert await chat.say("cancel") == "Cancelled Journal of a unit; nothing was run."
            assert await chat.say("cancel") == "Nothing is running. Type help for the commands you may run."
    run(scenario())
    assert stub_log.read_text().splitlines() == ["--no-pager", "--output=short-iso", "--lines=5", "--unit=ssh.service"]
    assert [entry["node"] for entry in bot.audit_entries()] == ["journal", "journal"]


def test_a_table_result_comes_in_a_block(sandbox, bot):
    install_examples(bot)
    bot.start()

    async def scenario():
        async with chatting(sandbox, bot, "admins") as chat:
            table = await chat.say("disk-usage")
            lines = table.splitlines()
            assert lines[:2] == ["*Disk usage*", "```"], table
            assert lines[2].split() == ["Mount", "Size", "Used", "Free", "Use%"]
            assert any(line.startswith("/ ") for line in lines[3:]), table
            assert lines[-1] == "```"
    run(scenario())


def test_the_same_audit_lines_as_the_ad_hoc_path(sandbox, bot):
    install_examples(bot)
    bot.add_command("argv.py", ARGV_SCRIPT, executable=True)
    bot.start()

    async def scenario():
        await join_group(sandbox, "user", ("admins",))
        async with xmpp_client(sandbox, "user", "userpw") as user, xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            chat = BotChat(user, bot.jid)
            # A run with a value: ad-hoc, then chat, from the same client.
            first = await execute(user, bot.jid, "argv")
            await execute(user, bot.jid, "argv", action="complete", sessionid=first["command"]["sessionid"], form={"value": "it's the same"})
            await chat.say("argv it's the same")
            # A declined confirmation.
            first = await execute(user, bot.jid, "reboot")
            await execute(user, bot.jid, "reboot", action="complete", sessionid=first["command"]["sessionid"], form={"confirm": "false"})
            await chat.say("reboot")
            await chat.say("no")
            # A refusal.
            with pytest.raises(Exception):
                await execute(stranger, bot.jid, "uptime")
            BotChat(stranger, bot.jid).send("uptime")
            await asyncio.sleep(2)
    run(scenario())
    for node, count in (("argv", 4), ("reboot", 2), ("uptime", 2)):
        lines = audit_lines(bot, node)
        assert len(lines) == count, lines
        half = count // 2
        assert lines[:half] == lines[half:], lines
    # Each run says which front end asked for it; the ad-hoc answer's delivery is reported too.
    argv = [entry for entry in bot.audit_entries(delivered=True) if entry["node"] == "argv"]
    assert [entry.get("via") for entry in argv if entry.get("event") == "started"] == ["ad-hoc", "chat"], argv
    assert [(entry["delivery"], entry["acknowledged"]) for entry in argv if entry.get("event") == "delivered"] == [("live", True)], argv


@pytest.fixture
def offline_sandbox():
    """A sandbox whose server keeps messages for accounts with no client online (mod_offline)."""
    directory = tempfile.mkdtemp(prefix="adhocd-pytest-")
    try:
        with Sandbox.start(directory, accounts=ACCOUNTS, offline_storage=True) as server:
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_a_message_stored_while_the_bot_was_offline_is_not_run(offline_sandbox):
    sandbox = offline_sandbox
    bot = Adhocd(sandbox, {"chat": {"stale_after": 1}})
    stub_log = install_examples(bot)
    bot.add_command("argv.py", ARGV_SCRIPT, executable=True)
    bot.start()

    async def scenario():
        async with chatting(sandbox, bot, "admins") as chat:
            assert json.loads(await chat.say("argv before"))["argv"] == ["before"]
            assert bot.stop() == 0
            for line in ["argv while away", "restart-service unit=nginx.service", "yes"]:
                chat.send(line)
            await asyncio.sleep(3)
            bot.start()
            notice = await chat.answer()
            assert notice.startswith("I was offline when you sent these, so none of them was run:\n"
                                     "• 'argv while away' ("), notice
            assert "• 'restart-service unit=nginx.service' (" in notice and "• 'yes' (" in notice
            assert notice.endswith("Send again what you still want.")
            await chat.silence(3)
            assert json.loads(await chat.say("argv after"))["argv"] == ["after"]
    try:
        run(scenario())
    finally:
        assert bot.stop() == 0, bot.log_text()[-3000:]
    assert not stub_log.exists()
    values = [entry["parameters"]["value"] for entry in bot.audit_entries() if entry.get("event") == "finished"]
    assert values == ["before", "after"]
    assert "chat line delivered late, not run" in bot.log_text()


def test_an_answer_waits_for_a_phone_that_went_offline(offline_sandbox):
    """The answers are not marked no-store: the server keeps one for a phone that left while
    its command ran, and hands it over when the phone is back."""
    sandbox = offline_sandbox
    bot = Adhocd(sandbox, {})
    bot.add_command("slow.toml", 'exec = ["/bin/sh", "-c", "sleep 2; echo finally"]\nallow = ["group:admins"]\n')
    bot.start()

    async def scenario():
        await join_group(sandbox, "user", ("admins",))
        async with xmpp_client(sandbox, "user", "userpw", resource="phone") as phone:
            BotChat(phone, bot.jid).send("slow")
            await asyncio.sleep(0.5)
        # Back only once the command has finished and its answer went to the server.
        deadline = time.monotonic() + 30
        while not any(entry.get("event") == "finished" for entry in bot.audit_entries()):
            assert time.monotonic() < deadline, "the slow command never finished"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        chats = []
        async with xmpp_client(sandbox, "user", "userpw", resource="phone",
                               setup=lambda client: chats.append(BotChat(client, bot.jid))):
            assert await chats[0].answer() == "finally"
            answer = next(stanza for stanza in chats[0].stanzas if stanza["body"])
            assert answer.xml.find("{urn:xmpp:delay}delay") is not None, "delivered from offline storage"
    try:
        run(scenario())
    finally:
        assert bot.stop() == 0, bot.log_text()[-3000:]


def volume(bus) -> float:
    return float(bus.property(MPV, "/org/mpris/MediaPlayer2", "org.mpris.MediaPlayer2.Player", "Volume").split()[1])


def test_the_film_is_paused_and_resumed_by_typing(sandbox, bus):
    require("mpv")
    bus.start_mpv()
    bot = Adhocd(sandbox, {
        "dbus": [{"preset": "mpris", "label": "Living room", "bus": bus.address, "allow": ["group:coloc"]}],
        "chat.aliases": {"pause": "mpris/remote action=play-pause"},
    }).start()
    try:
        async def scenario():
            await join_group(sandbox, "user", ("coloc",))
            async with xmpp_client(sandbox, "user", "userpw", resource="phone") as phone, \
                    xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
                chat = BotChat(phone, bot.jid)
                deadline = time.monotonic() + 15
                while "mpris/remote" not in await command_nodes(phone, bot.jid) and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                remote = await chat.say("remote")
                assert remote.startswith("*Living room — ") and "Status: Playing" in remote, remote
                assert "1. ⏯ Play/Pause (play-pause)" in remote and "done closes Living room" in remote

                assert "Status: Paused" in await chat.say("play-pause")
                await player_becomes(bus, "Paused")
                assert "Status: Playing" in await chat.say("play")
                await player_becomes(bus, "Playing")
                before = volume(bus)
                assert "Done: 🔉 Volume −" in await chat.say("vol-")
                assert volume(bus) == pytest.approx(before - 0.1)
                assert await chat.say("done") == "Closed Living room.\nPlaying: Test tone"

                # The alias: one word.
                assert "Status: Paused" in await chat.say("pause")
                await player_becomes(bus, "Paused")
                assert "Status: Playing" in await chat.say("1")
                await player_becomes(bus, "Playing")
                assert (await chat.say("done")).startswith("Closed Living room.")

                # A stranger's words do nothing to the player.
                stranger_chat = BotChat(stranger, bot.jid)
                for line in ["remote", "pause", "play-pause", "mpris/remote action=play-pause"]:
                    stranger_chat.send(line)
                await stranger_chat.silence(2)
                assert player_status(bus) == 'string "Playing"'
        run(scenario())
    finally:
        assert bot.stop() == 0, bot.log_text()[-3000:]


def test_a_flood_gets_slow_down_and_a_reload_changes_the_chat(sandbox):
    bot = Adhocd(sandbox, {"chat": {"rate_burst": 3, "rate_interval": 30}}).start()
    try:
        async def scenario():
            async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
                chat = BotChat(admin, bot.jid, to=bot.jid)
                for _ in range(20):
                    chat.send("status")
                answers = [await chat.answer() for _ in range(4)]
                await chat.silence(3)
                # Three lines are taken (each runs, or hears that the one before still runs: one
                # line at a time per contact, so it depends on how fast status is); then the flood
                # is cut.
                assert sum(answer.startswith(("*Status of ", "Still running ")) for answer in answers) == 3, answers
                assert any(answer.startswith("*Status of ") for answer in answers), answers
                assert answers.count("Slow down: too many messages at once. What you send in the next 30 s is not run.") == 1, answers

                # New limits and an alias apply from the next line, without a restart.
                bot.tables["chat"] = {"rate_burst": 50}
                bot.tables["chat.aliases"] = {"st": "status"}
                bot.write_config()
                bot.reload()
                assert "updated chat settings" in bot.log_text()
                assert (await chat.say("st")).startswith("*Status of ")
        run(scenario())
    finally:
        assert bot.stop() == 0, bot.log_text()[-3000:]
    assert bot.log_text().count("chat: too many lines, slowing down") == 1
