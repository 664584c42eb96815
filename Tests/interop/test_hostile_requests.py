"""Anyone on the federation can send the bot anything (docs/security.md): a stranger in no roster
group, a contact who mistypes, and a contact reaching past their rights, each driving the real
bot from slixmpp through a real Prosody. What the stream layer defends is in
test_hostile_stream.py; the commands.d files and audit in test_commands_d_hostile.py."""

import asyncio
import xml.etree.ElementTree as ET

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import COLOC_RULES, BotChat, COMMANDS_NS, Adhocd, command_nodes, error_of, execute, join_group, notes, run, xmpp_client


@pytest.fixture
def bot(sandbox):
    daemon = Adhocd(sandbox, COLOC_RULES)
    # A run that takes a moment and counts itself, for contacts; a command only admins may run.
    daemon.runs = daemon.dir / "runs.txt"
    daemon.add_command("job.toml", f'exec = ["/bin/sh", "-c", "echo ran >> {daemon.runs}; sleep 0.5"]\n'
                                   'allow = ["group:coloc"]\noutput = "none"\n[[param]]\nvar = "label"\n')
    daemon.add_command("secret.toml", 'exec = ["/bin/true"]\nallow = ["group:admins"]\n')
    daemon.start()
    yield daemon
    assert daemon.stop() == 0, daemon.log_text()[-2000:]


async def answer_to(client, kind: str, to: str, payload: str, **attributes):
    """Sends one request with this payload (and stanza attributes such as `id`); returns the
    answer, or the error condition pair of an error answer."""
    iq = client.Iq(stype=kind, sto=to)
    iq.append(ET.fromstring(payload))
    for name, value in attributes.items():
        iq.xml.set(name, value)
    try:
        return await iq.send(timeout=10)
    except IqError as error:
        return error_of(error)


def test_what_a_stranger_sends_reaches_the_log_cut_short(sandbox, bot):
    """A session id or stanza id is the sender's text, and it lands in log lines: a stranger's
    100 KB id must not make a 100 KB line (journald splits lines past 48 KB, and a few such
    requests a second fill a disk). Each line stays short; the requests are still answered."""
    huge = "s" * 100_000

    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user, \
                xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
            mark = len(bot.log_text())
            # Refused before sessions are looked at (a real node the stranger may not run).
            with pytest.raises(IqError) as refused:
                await execute(stranger, bot.jid, "status", action="complete", sessionid=huge)
            assert error_of(refused.value) == ("item-not-found", None)
            # A contact's own node, an id that is no session.
            with pytest.raises(IqError) as unknown:
                await execute(user, bot.jid, "echo", action="complete", sessionid=huge)
            assert error_of(unknown.value) == ("bad-request", "bad-sessionid")
            # A stanza id, which the bot's delivery report names.
            answer = await answer_to(stranger, "get", bot.jid, "<query xmlns='http://jabber.org/protocol/disco#info'/>", id=huge)
            assert answer["id"] == huge
            await asyncio.sleep(0.5)
            return mark
    mark = run(scenario())
    written = bot.log_text()[mark:]
    lines = written.splitlines()
    assert any("command refused" in line for line in lines), written[-3000:]
    assert any("unknown session" in line for line in lines), written[-3000:]
    assert max(len(line) for line in lines) <= 2048, max(len(line) for line in lines)
    assert len(written) < 20_000, len(written)


async def submit_raw(client, to: str, node: str, sessionid: str, form: str):
    """Submits a data form written out by hand (what slixmpp's form API cannot write, such as one
    field given twice); returns the answer's <command/>."""
    iq = client.Iq(stype="set", sto=to)
    iq["command"]["node"] = node
    iq["command"]["sessionid"] = sessionid
    iq["command"]["action"] = "complete"
    iq["command"].xml.append(ET.fromstring(form))
    return (await iq.send(timeout=10))["command"]


def test_a_field_given_twice_is_asked_again_not_run_with_one_of_them(sandbox, bot):
    """XEP-0004 fields are unique by var. A form naming one twice with different values is not
    run with either: the stage comes back with a note saying which field, showing the first
    value (the one the note is about), and the session goes on."""
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user:
            session = (await execute(user, bot.jid, "echo"))["command"]["sessionid"]
            again = await submit_raw(user, bot.jid, "echo", session,
                                     "<x xmlns='jabber:x:data' type='submit'><field var='text'><value>first</value></field>"
                                     "<field var='text'><value>second</value></field></x>")
            assert again["status"] == "executing" and again["sessionid"] == session
            assert [tuple(note) for note in again["notes"]] == [("error", "Please correct this field:\nText (text) is given 2 times; send it once")]
            assert again["form"].get_fields()["text"]["value"] == "first"
            done = await execute(user, bot.jid, "echo", action="complete", sessionid=session, form={"text": "once"})
            assert [note[1] for note in done["command"]["notes"]] == ["once"]
    run(scenario())


def test_a_contact_cannot_make_every_subscriber_receive_a_huge_status(sandbox, bot):
    """set-presence is a contact's right, but its message goes to every subscriber on every
    presence the bot sends, until someone changes it: a 200 KB message would be 200 KB per
    subscriber each time. It is refused with a note saying the limit, and nothing changes."""
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user:
            presences = asyncio.Queue()
            user.add_event_handler("presence", lambda presence: presences.put_nowait(presence)
                                   if presence["from"].full == bot.jid and presence["type"] != "unavailable" else None)
            user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
            first = await asyncio.wait_for(presences.get(), 10)

            session = (await execute(user, bot.jid, "set-presence"))["command"]["sessionid"]
            done = await execute(user, bot.jid, "set-presence", action="complete", sessionid=session,
                                 form={"status": "dnd", "status-message": "x" * 200_000})
            assert done["command"]["status"] == "completed"
            assert [tuple(note) for note in done["command"]["notes"]] == [
                ("error", "Not changed: the message has 200000 characters; a presence carries at most 1024.")]
            await asyncio.sleep(1)
            while not presences.empty():
                again = presences.get_nowait()
                assert (again["show"], again["status"]) == (first["show"], first["status"]), len(str(again))

            # A message of the limit goes out.
            session = (await execute(user, bot.jid, "set-presence"))["command"]["sessionid"]
            await execute(user, bot.jid, "set-presence", action="complete", sessionid=session,
                          form={"status": "dnd", "status-message": "y" * 1024})
            changed = await asyncio.wait_for(presences.get(), 10)
            assert (changed["show"], changed["status"]) == ("dnd", "y" * 1024)
    run(scenario())


async def refusal(request) -> tuple:
    """The whole error a request is answered with: conditions, type and text."""
    with pytest.raises(IqError) as refused:
        await request
    return error_of(refused.value), refused.value.iq["error"]["type"], refused.value.iq["error"]["text"]


def test_another_resources_session_is_out_of_reach_whatever_the_action(sandbox, bot):
    """The same account on another device (laptop) holds the phone's session id: every action
    answers like an unknown session, and the phone's session is untouched by all of them."""
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw", resource="phone") as phone, \
                xmpp_client(sandbox, "user", "userpw", resource="laptop") as laptop:
            session = (await execute(phone, bot.jid, "echo"))["command"]["sessionid"]
            unknown = await refusal(execute(laptop, bot.jid, "echo", action="complete", sessionid="0" * 32, form={"text": "x"}))
            assert unknown == (("bad-request", "bad-sessionid"), "modify", "unknown session")
            for action in ("execute", "next", "prev", "complete", "cancel"):
                form = None if action in ("prev", "cancel") else {"text": "stolen"}
                assert await refusal(execute(laptop, bot.jid, "echo", action=action, sessionid=session, form=form)) == unknown, action
            done = await execute(phone, bot.jid, "echo", action="complete", sessionid=session, form={"text": "mine"})
            assert notes(done) == [("info", "mine")]
            # Finished: its owner hears so, the other device still only "unknown".
            assert (await refusal(execute(laptop, bot.jid, "echo", action="complete", sessionid=session, form={"text": "x"}))) == unknown
            finished = await refusal(execute(phone, bot.jid, "echo", action="complete", sessionid=session, form={"text": "x"}))
            assert finished[0] == ("not-allowed", "session-expired")
    run(scenario())


def test_a_contact_reaching_past_their_rights_learns_nothing(sandbox, bot):
    """A contact in `coloc` asks for what only the bot's account (reload) or `admins` (secret) may
    run: on disco and on every action, even with a session id of their own, the answer is that of
    a node that does not exist. Their own session stays open."""
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user:
            assert await command_nodes(user, bot.jid) == ["status", "set-presence", "echo", "job"]
            own = (await execute(user, bot.jid, "echo"))["command"]["sessionid"]
            nothing = await refusal(execute(user, bot.jid, "no-such-command"))
            no_info = await refusal(user.plugin["xep_0030"].get_info(bot.jid, node="no-such-command"))
            assert nothing[0] == no_info[0] == ("item-not-found", None)
            for node in ("reload", "secret"):
                assert await refusal(user.plugin["xep_0030"].get_info(bot.jid, node=node)) == no_info, node
                for action in ("execute", "next", "prev", "complete", "cancel"):
                    assert await refusal(execute(user, bot.jid, node, action=action)) == nothing, (node, action)
                    assert await refusal(execute(user, bot.jid, node, action=action, sessionid=own)) == nothing, (node, action)
            done = await execute(user, bot.jid, "echo", action="complete", sessionid=own, form={"text": "still mine"})
            assert notes(done) == [("info", "still mine")]
    run(scenario())
    refused = [entry for entry in bot.audit_entries() if entry.get("node") == "secret"]
    assert refused and all(entry["decision"] == "refused" for entry in refused)


def test_a_stranger_cannot_pose_as_the_account_nor_push_itself_into_a_group(sandbox, bot):
    """A `from` naming the bot's own account, a roster push putting the stranger into `coloc`
    sent to the bot's full JID, and answers (result, error) carrying commands: none of them makes
    the stranger anyone else, and none is taken for a request."""
    async def scenario():
        async with xmpp_client(sandbox, "stranger", "strangerpw") as stranger, \
                xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            nothing = await refusal(execute(stranger, bot.jid, "no-such-command"))
            iq = stranger.Iq(stype="set", sto=bot.jid)
            iq["command"]["node"] = "reload"
            iq.xml.set("from", f"bot@{sandbox.domain}/admin")
            assert await refusal(iq.send(timeout=10)) == nothing

            push = (f"<query xmlns='jabber:iq:roster'><item jid='stranger@{sandbox.domain}' subscription='both'>"
                    "<group>coloc</group></item></query>")
            assert await answer_to(stranger, "set", bot.jid, push) == ("service-unavailable", None)
            assert await command_nodes(stranger, bot.jid) == []
            assert await refusal(execute(stranger, bot.jid, "status")) == nothing

            answers = []
            stranger.add_event_handler("iq", lambda stanza: answers.append(stanza) if stanza["from"].full == bot.jid else None)
            for kind in ("result", "error"):
                stranger.send_raw(f"<iq type='{kind}' id='not-a-request-{kind}' to='{bot.jid}'>"
                                  f"<command xmlns='{COMMANDS_NS}' node='reload' action='execute'/></iq>")
            # Nothing changed for the bot's own account either.
            assert (await execute(admin, bot.jid, "status"))["command"]["status"] == "completed"
            await asyncio.sleep(0.5)
            assert answers == []
    run(scenario())
    log = bot.log_text()
    assert "refused a roster push" in log and f"from=stranger@{sandbox.domain}/pytest" in log
    assert not any("command started" in line and "node=reload" in line for line in log.splitlines())


def test_messages_that_are_not_lines_are_never_answered(sandbox, bot):
    """error, headline and groupchat messages with a command as their body, sent straight to the
    bot by a contact it answers: never run, never answered (an answer to an error is how bot
    loops start). A chat line afterwards is answered, and only it."""
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user:
            chat = BotChat(user, bot.jid, to=bot.jid)
            for kind in ("error", "headline", "groupchat"):
                user.send_raw(f"<message type='{kind}' to='{bot.jid}'><body>job label=from-{kind}</body></message>")
            assert (await chat.say("echo after")) == "after"
            await chat.silence(1)
    run(scenario())
    assert not bot.runs.exists(), bot.runs.read_text()


def test_a_submission_sent_many_times_at_once_runs_once(sandbox, bot):
    """A client that re-sends a submission (new stanza ids, so not a duplicate the stream layer
    recognises) while the first still runs: one run; the others are told it is still running."""
    async def scenario():
        await join_group(sandbox, "user", ("coloc",))
        async with xmpp_client(sandbox, "user", "userpw") as user:
            session = (await execute(user, bot.jid, "job"))["command"]["sessionid"]
            answers = await asyncio.gather(*(
                execute(user, bot.jid, "job", action="complete", sessionid=session, form={"label": "x"}) for _ in range(5)),
                return_exceptions=True)
            done = [answer for answer in answers if not isinstance(answer, Exception)]
            busy = [error_of(answer) for answer in answers if isinstance(answer, IqError)]
            assert [answer["command"]["status"] for answer in done] == ["completed"]
            assert busy == [("unexpected-request", None)] * 4, answers
            again = await refusal(execute(user, bot.jid, "job", action="complete", sessionid=session, form={"label": "x"}))
            assert again[0] == ("not-allowed", "session-expired")
    run(scenario())
    assert bot.runs.read_text().splitlines() == ["ran"]
    finished = [entry for entry in bot.audit_entries() if entry.get("node") == "job" and entry.get("event") != "started"]
    assert [(entry["decision"], entry["outcome"]) for entry in finished] == [("allowed", "exited")]


def test_a_pattern_a_contact_could_stall_the_bot_with_is_refused_at_load(sandbox):
    """Swift's Regex backtracks, cannot be interrupted, and adhocd runs on one thread: with
    `([a-z0-9]+-?)+`, a contact's 26 characters `aaa…a!` left the bot answering nothing, not
    even a ping (22 characters alone ran past 4 minutes). Such a definition is refused at load, saying
    why; `[a-z]+(-[a-z]+)*` (each repetition starts with `-`, which nothing else in it matches)
    loads, and the same hostile value is refused at once."""
    daemon = Adhocd(sandbox, {})
    daemon.add_command("stall.toml", 'exec = ["/bin/echo", "{tag}"]\n[[param]]\nvar = "tag"\nregex = "([a-z0-9]+-?)+"\n')
    daemon.add_command("tag.toml", 'exec = ["/bin/echo", "{tag}"]\n[[param]]\nvar = "tag"\nregex = "[a-z]+(-[a-z]+)*"\n')
    daemon.start()
    try:
        daemon.wait_for_log(f"{daemon.commands_dir}/stall.toml:4: param[1].regex: repeats a group that itself repeats")

        async def scenario():
            async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
                assert await command_nodes(admin, daemon.jid) == ["status", "set-presence", "reload", "tag"]
                session = (await execute(admin, daemon.jid, "tag"))["command"]["sessionid"]
                again = await execute(admin, daemon.jid, "tag", action="complete", sessionid=session,
                                      form={"tag": "a" * 26 + "!"}, timeout=5)
                assert notes(again)[0][0] == "error"
                done = await execute(admin, daemon.jid, "tag", action="complete", sessionid=session, form={"tag": "living-room"})
                assert notes(done) == [("info", "living-room")]
        run(scenario())
    finally:
        assert daemon.stop() == 0, daemon.log_text()[-2000:]
