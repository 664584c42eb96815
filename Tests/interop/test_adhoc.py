"""XEP-0050 end to end: the real adhocd, a real Prosody, and slixmpp as the client."""

import asyncio
import signal

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import (COLOC_RULES, COMMANDS_NS, Adhocd, command_nodes, error_of, execute, is_available, join_group, notes, run,
                            set_roster_groups, software_version, wait_for, xmpp_client)


@pytest.fixture
def bot(sandbox):
    daemon = Adhocd(sandbox, COLOC_RULES).start()
    yield daemon
    assert daemon.stop() == 0, daemon.log_text()[-2000:]


async def join_coloc(sandbox, bot, contact="user"):
    await join_group(sandbox, contact)


def test_lists_commands_for_allowed_contacts_only(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user, \
                xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            assert await command_nodes(user, bot.jid) == ["status", "set-presence", "echo"]
            assert await command_nodes(stranger, bot.jid) == []

            items = await user.plugin["xep_0050"].get_commands(bot.jid)
            assert all(item[0] == bot.jid for item in items["disco_items"]["items"])

            info = await user.plugin["xep_0030"].get_info(bot.jid, node="status")
            assert ("automation", "command-node", None, "Host status") in info["disco_info"]["identities"]
            # The list itself (XEP-0050 §2.2), the same for everyone.
            for client in (user, stranger):
                listing = await client.plugin["xep_0030"].get_info(bot.jid, node=COMMANDS_NS)
                assert listing["disco_info"]["identities"] == {("automation", "command-list", None, "Commands")}
    run(scenario())


def test_a_stranger_learns_nothing_about_nodes_or_the_software(sandbox, bot):
    """A requester in no roster group: a real node answers exactly like one that does not exist,
    on disco and on execute, whatever the action; no software version."""
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user, \
                xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            async def refusal(request) -> tuple:
                with pytest.raises(IqError) as refused:
                    await request
                error = refused.value.iq["error"]
                return error_of(refused.value), error["type"], error["text"]

            nothing = await refusal(execute(stranger, bot.jid, "no-such-command"))
            assert nothing[0] == ("item-not-found", None)
            assert await refusal(stranger.plugin["xep_0030"].get_info(bot.jid, node="no-such-command")) == \
                (("item-not-found", None), "cancel", "")
            assert await refusal(stranger.plugin["xep_0030"].get_info(bot.jid, node="status")) == \
                (("item-not-found", None), "cancel", "")
            session = (await execute(user, bot.jid, "echo"))["command"]["sessionid"]
            for node in ("status", "echo", "reload"):
                assert await refusal(execute(stranger, bot.jid, node)) == nothing
                assert await refusal(execute(stranger, bot.jid, node, action="cancel")) == nothing
                assert await refusal(execute(stranger, bot.jid, node, action="complete", sessionid=session,
                                             form={"text": "hijack"})) == nothing
            # The user's session is untouched.
            done = await execute(user, bot.jid, "echo", action="complete", sessionid=session, form={"text": "mine"})
            assert [note[1] for note in done["command"]["notes"]] == ["mine"]

            assert await software_version(user, bot.jid) == "adhocd"
            with pytest.raises(IqError) as refused:
                await software_version(stranger, bot.jid)
            assert error_of(refused.value) == ("service-unavailable", None)

            # The entity itself: a bot that speaks commands and forms, the same for everyone.
            for client in (user, stranger):
                entity = await client.plugin["xep_0030"].get_info(bot.jid)
                assert ("client", "bot", None, "adhocd") in entity["disco_info"]["identities"]
                assert {"http://jabber.org/protocol/commands", "jabber:x:data"} <= set(entity["disco_info"]["features"])
    run(scenario())


def test_runs_a_two_stage_command_and_cancels_midway(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            first = await execute(user, bot.jid, "echo")
            command = first["command"]
            assert command["status"] == "executing"
            assert command["actions"] == {"complete"} or "complete" in command["actions"]
            assert first.xml.find("{http://jabber.org/protocol/commands}command/"
                                  "{http://jabber.org/protocol/commands}actions").get("execute") == "complete"
            session = command["sessionid"]
            form = command["form"]
            assert form["type"] == "form"
            assert form.get_fields()["text"]["required"]

            done = await execute(user, bot.jid, "echo", action="complete", sessionid=session, form={"text": "bonjour"})
            assert done["command"]["status"] == "completed"
            assert done["command"]["sessionid"] == session
            assert [note[1] for note in done["command"]["notes"]] == ["bonjour"]

            # Cancel in the middle: the session is gone afterwards.
            started = await execute(user, bot.jid, "set-presence")
            session = started["command"]["sessionid"]
            canceled = await execute(user, bot.jid, "set-presence", action="cancel", sessionid=session)
            assert canceled["command"]["status"] == "canceled"
            with pytest.raises(IqError) as stale:
                await execute(user, bot.jid, "set-presence", action="complete", sessionid=session, form={"status": "away"})
            assert error_of(stale.value) == ("not-allowed", "session-expired")
    run(scenario())


def test_a_finished_session_is_expired_and_an_unknown_one_is_a_bad_sessionid(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            session = (await execute(user, bot.jid, "echo"))["command"]["sessionid"]
            await execute(user, bot.jid, "echo", action="complete", sessionid=session, form={"text": "once"})
            with pytest.raises(IqError) as again:
                await execute(user, bot.jid, "echo", action="complete", sessionid=session, form={"text": "twice"})
            assert error_of(again.value) == ("not-allowed", "session-expired")
            with pytest.raises(IqError) as unknown:
                await execute(user, bot.jid, "echo", action="complete", sessionid="0" * 32, form={"text": "x"})
            assert error_of(unknown.value) == ("bad-request", "bad-sessionid")
    run(scenario())


def test_a_form_of_type_cancel_is_a_submission(sandbox, bot):
    """XEP-0050 §4.4: only action='cancel' cancels; <x type='cancel'/> is submitted like any form."""
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            session = (await execute(user, bot.jid, "echo"))["command"]["sessionid"]
            done = await execute(user, bot.jid, "echo", action="complete", sessionid=session,
                                 form={"text": "still runs"}, form_type="cancel")
            assert done["command"]["status"] == "completed"
            assert [note[1] for note in done["command"]["notes"]] == ["still runs"]
    run(scenario())


def test_simultaneous_starts_from_one_account_open_at_most_the_limit(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            answers = await asyncio.gather(*(execute(user, bot.jid, "echo") for _ in range(40)), return_exceptions=True)
            opened = [answer["command"]["sessionid"] for answer in answers if not isinstance(answer, Exception)]
            refused = [error_of(answer) for answer in answers if isinstance(answer, IqError)]
            assert len(opened) == 5, answers
            assert refused == [("resource-constraint", None)] * 35
            # The bot still answers, and a cancelled session frees its slot.
            await execute(user, bot.jid, "echo", action="cancel", sessionid=opened[0])
            assert (await execute(user, bot.jid, "echo"))["command"]["status"] == "executing"
    run(scenario())


def test_a_session_cannot_be_resumed_from_another_full_jid(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw", resource="phone") as phone, \
                xmpp_client(sandbox, "user", "userpw", resource="laptop") as laptop:
            session = (await execute(phone, bot.jid, "echo"))["command"]["sessionid"]
            with pytest.raises(IqError) as refused:
                await execute(laptop, bot.jid, "echo", action="complete", sessionid=session, form={"text": "stolen"})
            assert error_of(refused.value) == ("bad-request", "bad-sessionid")
            done = await execute(phone, bot.jid, "echo", action="complete", sessionid=session, form={"text": "mine"})
            assert [note[1] for note in done["command"]["notes"]] == ["mine"]
    run(scenario())


def test_an_expired_session_is_refused(sandbox):
    tables = dict(COLOC_RULES, adhoc={"session_timeout": 1})
    daemon = Adhocd(sandbox, tables).start()
    try:
        async def scenario():
            await join_coloc(sandbox, daemon)
            async with xmpp_client(sandbox, "user", "userpw") as user:
                session = (await execute(user, daemon.jid, "echo"))["command"]["sessionid"]
                await asyncio.sleep(1.5)
                with pytest.raises(IqError) as expired:
                    await execute(user, daemon.jid, "echo", action="complete", sessionid=session, form={"text": "late"})
                assert error_of(expired.value) == ("not-allowed", "session-expired")
        run(scenario())
    finally:
        assert daemon.stop() == 0


def test_moving_a_contact_between_groups_changes_the_list_at_once(sandbox, bot):
    async def scenario():
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin, \
                xmpp_client(sandbox, "user", "userpw") as user:
            assert await command_nodes(user, bot.jid) == []
            await set_roster_groups(admin, f"user@{sandbox.domain}", ["coloc"])
            await wait_for(lambda: command_nodes(user, bot.jid), ["status", "set-presence", "echo"])
            await set_roster_groups(admin, f"user@{sandbox.domain}", ["neighbours"])
            await wait_for(lambda: command_nodes(user, bot.jid), [])
    run(scenario())


def test_a_mistyped_value_shows_the_form_again_with_an_error_note(sandbox, bot):
    """Not an IQ error (Gajim would say "Execution failed" and drop the form): the same stage,
    executing, a note naming each field and why, the values as typed kept in the form."""
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            first = await execute(user, bot.jid, "set-presence")
            session = first["command"]["sessionid"]
            again = await execute(user, bot.jid, "set-presence", action="complete", sessionid=session,
                                  form={"status": "away", "status-priority": "abc"})
            command = again["command"]
            assert command["status"] == "executing" and command["sessionid"] == session
            assert notes(again) == [("error", "Please correct this field:\nPriority (status-priority): 'abc' is not a valid whole number")]
            fields = command["form"].get_fields()
            assert command["form"]["type"] == "form"
            assert fields["status-priority"]["value"] == "abc"
            assert fields["status"]["value"] == "away"
            assert "complete" in command["actions"]

            again = await execute(user, bot.jid, "set-presence", action="complete", sessionid=session,
                                  form={"status": "away", "status-priority": "500"})
            assert notes(again) == [("error", "Please correct this field:\nPriority (status-priority): 500 must be at least -128 and at most 127")]
            assert again["command"]["form"].get_fields()["status-priority"]["value"] == "500"

            # A required field left empty is named the same way.
            echo = await execute(user, bot.jid, "echo")
            empty = await execute(user, bot.jid, "echo", action="complete", sessionid=echo["command"]["sessionid"], form={"text": ""})
            assert notes(empty) == [("error", "Please correct this field:\nText (text) is required")]

            # The session survives; a corrected submission completes it.
            done = await execute(user, bot.jid, "set-presence", action="complete", sessionid=session,
                                 form={"status": "away", "status-priority": "5"})
            assert done["command"]["status"] == "completed"
    run(scenario())


def test_unknown_nodes_and_actions_are_refused(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            with pytest.raises(IqError) as unknown:
                await execute(user, bot.jid, "no-such-command")
            assert error_of(unknown.value) == ("item-not-found", None)
            iq = user.Iq(stype="set", sto=bot.jid)
            iq["command"]["node"] = "echo"
            iq.xml.find("{http://jabber.org/protocol/commands}command").set("action", "jump")
            with pytest.raises(IqError) as malformed:
                await iq.send(timeout=10)
            assert error_of(malformed.value) == ("bad-request", "malformed-action")
    run(scenario())


def test_status_command(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            done = await execute(user, bot.jid, "status")
            command = done["command"]
            assert command["status"] == "completed"
            form = command["form"]
            assert form["type"] == "result"
            values = form.get_values()
            assert values["hostname"]
            assert "used" in values["memory"]
            assert len(values["load"].split()) == 3
            columns = [field["var"] for field in form["reported"].values()]
            assert columns == ["mount", "size", "used", "free", "use"]
            assert any(item["mount"] == "/" for item in form["items"])
    run(scenario())


def test_set_presence_command_changes_what_contacts_see(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            seen = asyncio.Queue()
            user.add_event_handler("presence",
                                   lambda presence: seen.put_nowait(presence) if presence["from"].full == bot.jid and is_available(presence) else None)
            # The bot approves the subscription: the user is in a group some rule allows.
            user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
            first = await asyncio.wait_for(seen.get(), 10)
            caps = first.xml.find("{http://jabber.org/protocol/caps}c")
            assert caps is not None and caps.get("hash") == "sha-1"

            # Entity capabilities: the hash matches what disco#info says.
            info = await user.plugin["xep_0030"].get_info(bot.jid, node=f"{caps.get('node')}#{caps.get('ver')}")
            assert user.plugin["xep_0115"].generate_verstring(info["disco_info"], "sha-1") == caps.get("ver")

            started = await execute(user, bot.jid, "set-presence")
            fields = started["command"]["form"].get_fields()
            assert [option["value"] for option in fields["status"]["options"]] == ["chat", "online", "away", "xa", "dnd"]
            done = await execute(user, bot.jid, "set-presence", action="complete",
                                 sessionid=started["command"]["sessionid"],
                                 form={"status": "dnd", "status-message": "backing up"})
            assert done["command"]["status"] == "completed"
            assert [note[1] for note in done["command"]["notes"]] == ["Presence set to Do not disturb: backing up"]
            while True:
                presence = await asyncio.wait_for(seen.get(), 10)
                if presence["show"] == "dnd":
                    break
            assert presence["status"] == "backing up"
            assert presence.xml.find("{http://jabber.org/protocol/caps}c") is not None
    run(scenario())


def test_reload_command_applies_new_rules_without_reconnecting(sandbox, bot):
    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user, \
                xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            assert "reload" not in await command_nodes(user, bot.jid)
            with pytest.raises(IqError):
                await execute(user, bot.jid, "reload")

            bot.tables["commands.reload"] = {"allow": ["self", "group:coloc"]}
            bot.write_config()
            done = await execute(admin, bot.jid, "reload")
            notes = [note for note in done["command"]["notes"]]
            assert notes[0][0] == "info", notes
            assert "updated command rules" in notes[0][1]
            assert "reload" in await command_nodes(user, bot.jid)

            # A broken file changes nothing and says why.
            bot.config.write_text(bot.config.read_text() + "\n[account]\nport = \"x\"\n")
            failed = await execute(user, bot.jid, "reload")
            assert failed["command"]["notes"][0][0] == "error"
            assert "previous configuration stays" in failed["command"]["notes"][0][1]
            assert "reload" in await command_nodes(user, bot.jid)
        # Still the first connection: one login in the log.
        assert bot.log_text().count("connected") == 1
    run(scenario())


def test_sighup_reloads_too(sandbox, bot):
    async def scenario():
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            assert "echo" not in await command_nodes(admin, bot.jid)
            bot.tables["commands.echo"] = {"enabled": True, "allow": ["self"]}
            bot.write_config()
            bot.reload()
            assert "echo" in await command_nodes(admin, bot.jid)
    run(scenario())


def test_signals_and_reload_commands_together_apply_the_last_file(sandbox, bot):
    """SIGHUP and the `reload` command, fired together 100 times while the file changes
    between them: every command gets its answer, reloads never interleave (each applies one
    whole file), and the rules in force at the end are the last file's."""
    variants = [
        {"enabled": True, "allow": ["group:coloc"]},
        {"enabled": False, "allow": ["group:coloc"]},
    ]

    async def scenario():
        await join_coloc(sandbox, bot)
        async with xmpp_client(sandbox, "user", "userpw") as user, \
                xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            for round_number in range(100):
                bot.tables["commands.echo"] = variants[round_number % 2]
                bot.tables["presence"] = {"status": f"round {round_number}"}
                bot.write_config()
                bot.process.send_signal(signal.SIGHUP)
                done = await execute(admin, bot.jid, "reload")
                assert done["command"]["notes"][0][0] == "info", done["command"]["notes"]
                assert done["command"]["notes"][0][1].startswith("Reloaded"), done["command"]["notes"]
            # The last round (99) disabled echo: the contact no longer sees it.
            assert "echo" not in await command_nodes(user, bot.jid)
            bot.tables["commands.echo"] = variants[0]
            bot.write_config()
            bot.process.send_signal(signal.SIGHUP)
            await execute(admin, bot.jid, "reload")
            assert await command_nodes(user, bot.jid) == ["status", "set-presence", "echo"]
        log = bot.log_text()
        assert "reload failed" not in log
        assert log.count("connected") == 1
    run(scenario(), timeout=240)


def test_sigterm_signs_off_gracefully(sandbox):
    daemon = Adhocd(sandbox, COLOC_RULES).start()

    async def scenario():
        await join_coloc(sandbox, daemon)
        async with xmpp_client(sandbox, "user", "userpw") as user:
            presences = asyncio.Queue()
            user.add_event_handler("presence", lambda presence: presences.put_nowait(presence)
                                   if presence["from"].full == daemon.jid else None)
            user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
            while not is_available(await asyncio.wait_for(presences.get(), 10)):
                pass
            assert await asyncio.to_thread(daemon.stop) == 0
            while (presence := await asyncio.wait_for(presences.get(), 10))["type"] != "unavailable":
                pass
        assert "signing off" in daemon.log_text()
    run(scenario())
