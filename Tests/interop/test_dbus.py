"""D-Bus services as commands, end to end: slixmpp → Prosody → adhocd → a private D-Bus.

The services are real: mpv with its MPRIS plugin, a dbus-fast service with a method for every
signature kind, and a stand-in for systemd's manager (the real one does not run in CI
containers; the tests using it say so in their names).
"""

import contextlib
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest
from slixmpp.exceptions import IqError

from adhocd_harness import (Adhocd, adhocd_binary, command_nodes, error_of, execute, form_fields, join_group, notes, run, wait_for,
                            xmpp_client)
from dbus_harness import PrivateBus, missing_programs

MPV = "org.mpris.MediaPlayer2.mpv"
PLAYER = f"dbus/{MPV}/org/mpris/MediaPlayer2/org.mpris.MediaPlayer2.Player"
TEST = "dbus/org.adhocd.Test/org/adhocd/Test/org.adhocd.Test.Signatures"
XDATA_VALIDATE = "{http://jabber.org/protocol/xdata-validate}validate"


def require(*programs: str) -> None:
    missing = missing_programs(*programs)
    if missing and os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        pytest.skip(f"{', '.join(missing)} not installed: D-Bus interop test skipped (make test installs them)")


@pytest.fixture
def bus():
    require("dbus-daemon", "dbus-send")
    private = PrivateBus()
    yield private
    private.close()


@contextlib.contextmanager
def running_bot(sandbox, *blocks: dict):
    """adhocd with these [[dbus]] blocks; it must stop gracefully afterwards."""
    bot = Adhocd(sandbox, {"dbus": list(blocks)}).start()
    try:
        yield bot
    finally:
        assert bot.stop() == 0, bot.log_text()[-3000:]


def player_status(bus) -> str:
    return bus.property(MPV, "/org/mpris/MediaPlayer2", "org.mpris.MediaPlayer2.Player", "PlaybackStatus")


async def player_becomes(bus, status: str) -> None:
    """mpv's MPRIS plugin updates PlaybackStatus a moment after the method returns."""
    async def current():
        return player_status(bus)
    await wait_for(current, f'string "{status}"')


def datatype(field) -> str | None:
    validate = field.xml.find(XDATA_VALIDATE)
    return validate.get("datatype") if validate is not None else None


def test_a_coloc_member_drives_mpv_and_a_stranger_sees_nothing(sandbox, bus):
    require("mpv")
    bus.start_mpv()
    with running_bot(sandbox, {
        "label": "Living room", "bus": bus.address, "service": "org.mpris.MediaPlayer2.*",
        "paths": ["/org/mpris/MediaPlayer2"], "interfaces": ["org.mpris.MediaPlayer2.Player"],
        "methods": ["PlayPause", "Pause", "Play"], "properties": ["Volume", "PlaybackStatus"],
        "allow": ["group:coloc"],
    }) as bot:
        async def scenario():
            await join_group(sandbox)
            async with xmpp_client(sandbox, "user", "userpw") as user, \
                    xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
                await wait_for(lambda: command_nodes(user, bot.jid), [
                    f"{PLAYER}.Pause", f"{PLAYER}.PlayPause", f"{PLAYER}.Play",
                    f"{PLAYER}/properties", f"{PLAYER}.Volume/set"])
                assert await command_nodes(stranger, bot.jid) == []
                with pytest.raises(IqError) as refused:
                    await execute(stranger, bot.jid, f"{PLAYER}.Pause")
                assert error_of(refused.value) == ("item-not-found", None)
                assert player_status(bus) == 'string "Playing"'

                # A method without arguments runs at once and completes with a note.
                paused = await execute(user, bot.jid, f"{PLAYER}.Pause")
                assert paused["command"]["status"] == "completed"
                assert notes(paused) == [("info", "Pause: done.")]
                await player_becomes(bus, "Paused")
                await execute(user, bot.jid, f"{PLAYER}.PlayPause")
                await player_becomes(bus, "Playing")

                # Properties: read as a result form; Volume set through a form typed xs:double.
                read = await execute(user, bot.jid, f"{PLAYER}/properties")
                assert form_fields(read)["PlaybackStatus"]["value"] == "Playing"
                asked = await execute(user, bot.jid, f"{PLAYER}.Volume/set")
                field = form_fields(asked)["value"]
                assert field["value"] == "0.5" and datatype(field) == "xs:double"
                done = await execute(user, bot.jid, f"{PLAYER}.Volume/set", action="complete",
                                     sessionid=asked["command"]["sessionid"], form={"value": "0.25"})
                assert done["command"]["status"] == "completed"
                assert bus.property(MPV, "/org/mpris/MediaPlayer2", "org.mpris.MediaPlayer2.Player", "Volume") == "double 0.25"

                # A value that is not a number never reaches the player.
                asked = await execute(user, bot.jid, f"{PLAYER}.Volume/set")
                bad = await execute(user, bot.jid, f"{PLAYER}.Volume/set", action="complete",
                                    sessionid=asked["command"]["sessionid"], form={"value": "loud"})
                assert bad["command"]["status"] == "executing"
                assert notes(bad) == [("error", "Please correct this field:\nVolume (value): 'loud' is not a valid number")]
                assert form_fields(bad)["value"]["value"] == "loud"
                assert bus.property(MPV, "/org/mpris/MediaPlayer2", "org.mpris.MediaPlayer2.Player", "Volume") == "double 0.25"

                # mpv quits: its commands vanish at once; it comes back: so do they.
                bus.stop("mpv")
                await wait_for(lambda: command_nodes(user, bot.jid), [])
                bus.start_mpv()
                await wait_for(lambda: command_nodes(user, bot.jid), [
                    f"{PLAYER}.Pause", f"{PLAYER}.PlayPause", f"{PLAYER}.Play",
                    f"{PLAYER}/properties", f"{PLAYER}.Volume/set"])
        run(scenario())


def test_the_media_remote_loops_until_completed(sandbox, bus):
    require("mpv")
    bus.start_mpv()
    with running_bot(sandbox, {"preset": "mpris", "bus": bus.address, "allow": ["group:coloc"]}) as bot:
        async def scenario():
            await join_group(sandbox)
            async with xmpp_client(sandbox, "user", "userpw", resource="phone") as phone:
                await wait_for(lambda: command_nodes(phone, bot.jid), ["mpris/remote"])
                # One player: straight to the loop stage, actions as one list-single (buttons).
                first = await execute(phone, bot.jid, "mpris/remote")
                command = first["command"]
                assert command["status"] == "executing"
                assert first.xml.find("{http://jabber.org/protocol/commands}command/"
                                      "{http://jabber.org/protocol/commands}actions").get("execute") == "next"
                fields = form_fields(first)
                assert fields["status"]["value"] == "Playing"
                assert fields["title"]["value"] == "Test tone"
                assert fields["action"]["type"] == "list-single"
                actions = [option["value"] for option in fields["action"]["options"]]
                assert {"play-pause", "next", "previous", "stop", "volume-up", "volume-down"} <= set(actions)
                session = command["sessionid"]

                paused = await execute(phone, bot.jid, "mpris/remote", action="next", sessionid=session,
                                       form={"action": "play-pause"})
                assert paused["command"]["sessionid"] == session
                assert paused["command"]["status"] == "executing"
                assert form_fields(paused)["status"]["value"] == "Paused"
                await player_becomes(bus, "Paused")

                louder = await execute(phone, bot.jid, "mpris/remote", action="next", sessionid=session,
                                       form={"action": "volume-up"})
                assert form_fields(louder)["volume"]["value"] == "60 %"

                # `execute` repeats our default action (next): the loop goes on.
                again = await execute(phone, bot.jid, "mpris/remote", action="execute", sessionid=session,
                                      form={"action": "play-pause"})
                assert form_fields(again)["status"]["value"] == "Playing"

                done = await execute(phone, bot.jid, "mpris/remote", action="complete", sessionid=session, form={})
                assert done["command"]["status"] == "completed"
                assert len(notes(done)) == 1 and notes(done)[0][1].startswith("Playing")
        run(scenario())


def test_the_media_remote_asks_which_player_when_there_are_several(sandbox, bus):
    require("mpv")
    bus.start_mpv()
    bus.start_service("fake_player.py", "org.mpris.MediaPlayer2.fake")
    with running_bot(sandbox, {"preset": "mpris", "bus": bus.address, "allow": ["group:coloc"]}) as bot:
        async def scenario():
            await join_group(sandbox)
            async with xmpp_client(sandbox, "user", "userpw", resource="phone") as phone:
                await wait_for(lambda: command_nodes(phone, bot.jid), ["mpris/remote"])
                # Two players, one of them under two names: the first stage lists each once.
                async def choices():
                    fields = await first_stage(phone, bot, "mpris/remote")
                    return [(option["value"], option["label"]) for option in fields["player"]["options"]]
                await wait_for(choices, [("org.mpris.MediaPlayer2.fake", "Fake player"), (MPV, "mpv")])

                first = await execute(phone, bot.jid, "mpris/remote")
                session = first["command"]["sessionid"]
                remote = await execute(phone, bot.jid, "mpris/remote", action="next", sessionid=session,
                                       form={"player": "org.mpris.MediaPlayer2.fake"})
                fields = form_fields(remote)
                assert (fields["title"]["value"], fields["artist"]["value"]) == ("Radio Paradis", "Les Colocs")
                assert (fields["status"]["value"], fields["volume"]["value"]) == ("Paused", "80 %")
                assert fields["position"]["value"].startswith("0:42")
                playing = await execute(phone, bot.jid, "mpris/remote", action="next", sessionid=session,
                                        form={"action": "play-pause"})
                assert form_fields(playing)["status"]["value"] == "Playing"
                await execute(phone, bot.jid, "mpris/remote", action="next", sessionid=session,
                              form={"action": "seek-forward"})
                assert bus.output("fake_player.py").splitlines() == ["CALL PlayPause", "CALL Seek 30000000"]
                assert player_status(bus) == 'string "Playing"', "mpv is left alone"

                # The chosen player quits mid-session: the next action says so.
                bus.stop("fake_player.py")
                gone = await execute(phone, bot.jid, "mpris/remote", action="next", sessionid=session,
                                     form={"action": "play-pause"})
                assert gone["command"]["status"] == "completed"
                assert notes(gone)[0][0] == "error"
                # One player left: straight to its remote again.
                async def starts_with_a_player_choice():
                    return "player" in await first_stage(phone, bot, "mpris/remote")
                await wait_for(starts_with_a_player_choice, False)
        run(scenario())


def test_a_huge_player_identity_cannot_push_an_answer_over_the_budget(sandbox, bus):
    """A D-Bus service names itself: 300 KB of Identity (markup characters included) become a
    choice label and a form title, cut short; every answer stays small and the bot online."""
    require("mpv")
    bus.start_mpv()
    bus.start_service("fake_player.py", "org.mpris.MediaPlayer2.fake", "12000")
    with running_bot(sandbox, {"preset": "mpris", "bus": bus.address, "allow": ["group:coloc"]}) as bot:
        async def scenario():
            await join_group(sandbox)
            async with xmpp_client(sandbox, "user", "userpw", resource="phone") as phone:
                await wait_for(lambda: command_nodes(phone, bot.jid), ["mpris/remote"])
                first = await execute(phone, bot.jid, "mpris/remote")
                assert len(ET.tostring(first.xml)) < 8 * 1024
                labels = {option["value"]: option["label"] for option in form_fields(first)["player"]["options"]}
                assert labels["org.mpris.MediaPlayer2.fake"].startswith("Fake <player> & 'friends'")
                assert labels["org.mpris.MediaPlayer2.fake"].endswith("…") and len(labels["org.mpris.MediaPlayer2.fake"]) < 512
                remote = await execute(phone, bot.jid, "mpris/remote", action="next", sessionid=first["command"]["sessionid"],
                                       form={"player": "org.mpris.MediaPlayer2.fake"})
                assert len(ET.tostring(remote.xml)) < 8 * 1024
                assert remote["command"]["form"]["title"].endswith("…")
                assert form_fields(remote)["title"]["value"] == "Radio Paradis"
                # Still online and answering.
                assert await command_nodes(phone, bot.jid) == ["mpris/remote"]
        run(scenario())
        # One connection throughout: the server never closed the bot's stream.
        assert bot.log_text().count("[XMPPClient] connected") == 1, bot.log_text()[-3000:]


async def first_stage(client, bot, node: str) -> dict:
    """The fields of a command's first stage; the session is cancelled right away."""
    first = await execute(client, bot.jid, node)
    await execute(client, bot.jid, node, action="cancel", sessionid=first["command"]["sessionid"])
    return form_fields(first)


def test_every_signature_kind_becomes_a_typed_form_and_a_result(sandbox, bus):
    bus.start_service("signature_service.py", "org.adhocd.Test")
    with running_bot(sandbox, {"bus": bus.address, "service": "org.adhocd.Test", "methods": ["*"],
                              "properties": ["*"], "timeout": 1.5, "allow": ["group:coloc"]}) as bot:
        async def scenario():
            await join_group(sandbox)
            async with xmpp_client(sandbox, "user", "userpw") as user:
                nodes = await command_nodes(user, bot.jid)
                assert f"{TEST}.Basics" in nodes and f"{TEST}.Counter/set" in nodes
                assert f"{TEST}.TakesFD" not in nodes, "file descriptors cannot be typed in a form"

                # Basic types: booleans as booleans, numbers with their XEP-0122 type and range.
                asked = await execute(user, bot.jid, f"{TEST}.Basics")
                fields = form_fields(asked)
                assert [fields[f"arg{index}"]["label"] for index in range(12)] == [
                    "byte", "flag", "short", "ushort", "integer", "uinteger", "long", "ulong", "real", "text", "path",
                    "signature"]
                assert fields["arg1"]["type"] == "boolean"
                assert [datatype(fields[f"arg{index}"]) for index in (0, 2, 3, 4, 5, 6, 7, 8)] == [
                    "xs:unsignedByte", "xs:short", "xs:unsignedShort", "xs:int", "xs:unsignedInt", "xs:long",
                    "xs:unsignedLong", "xs:double"]
                byte_range = fields["arg0"].xml.find(XDATA_VALIDATE + "/{http://jabber.org/protocol/xdata-validate}range")
                assert (byte_range.get("min"), byte_range.get("max")) == ("0", "255")
                values = ["255", "1", "-32768", "65535", "-2147483648", "4294967295", "-9223372036854775808",
                          "18446744073709551615", "0.5", "ça; rm -rf / $(id)", "/org/adhocd/x", "a{sv}"]
                result = await execute(user, bot.jid, f"{TEST}.Basics", action="complete",
                                       sessionid=asked["command"]["sessionid"],
                                       form={f"arg{index}": value for index, value in enumerate(values)})
                echoed = [field["value"] for field in form_fields(result).values()]
                assert echoed == ["255", "true", *values[2:]]

                # Out of range for a byte: refused before any call, naming the field.
                asked = await execute(user, bot.jid, f"{TEST}.Basics")
                bad = await execute(user, bot.jid, f"{TEST}.Basics", action="complete",
                                    sessionid=asked["command"]["sessionid"],
                                    form={f"arg{index}": value for index, value in enumerate(["256", *values[1:]])})
                assert bad["command"]["status"] == "executing"
                [(kind, text)] = notes(bad)
                assert kind == "error" and "(arg0): 256 must be at least 0 and at most 255" in text, text

                async def call(method: str, form: dict):
                    asked = await execute(user, bot.jid, f"{TEST}.{method}")
                    return await execute(user, bot.jid, f"{TEST}.{method}", action="complete",
                                         sessionid=asked["command"]["sessionid"], form=form)

                # Arrays as one element per line; dictionaries as key=value lines; variants typed.
                lists = await call("Lists", {"arg0": ["un", "deux mots", "-x"], "arg1": ["1", "2", "39"]})
                assert form_fields(lists)["result1"]["value"] == "3 words: un|deux mots|-x; sum 42"
                settings = await call("Settings", {"arg0": ["volume=d:0.5", "name=salon", "count=i:3"],
                                                   "arg1": ["a=b=c"]})
                table = {item["key"]: item["value"] for item in settings["command"]["form"]["items"]}
                assert table == {"volume": "d:0.5", "name": "s:salon", "count": "i:3", "label.a": "b=c"}
                pair = await call("Pair", {"arg0": "42, forty, two"})
                assert form_fields(pair)["result1"]["value"] == "forty, two, 42"
                variant = await call("Describe", {"arg0": "b:yes"})
                assert form_fields(variant)["result1"]["value"] == "b:True"

                # Text that does not parse as the type: an error note saying what to fix.
                wrong = await call("Pair", {"arg0": "forty-two"})
                assert wrong["command"]["status"] == "completed"
                [(severity, text)] = notes(wrong)
                assert severity == "error" and "2 values separated by commas" in text and "Nothing was called" in text

                # An array of structs comes back as a table.
                rows = await execute(user, bot.jid, f"{TEST}.Table")
                assert [[item[key] for key in ("c1", "c2", "c3")] for item in rows["command"]["form"]["items"]] == [
                    ["alpha", "1", "2"], ["beta", "3", "4"]]

                # Oversized output: cut to fit one stanza, saying so; the bot stays connected.
                huge = await call("Huge", {"arg0": "3000000"})
                fields = form_fields(huge)
                assert len(fields["result1"]["value"]) < 20_000
                assert fields["adhocd-truncated"]["value"] == "Output truncated: 1 long values cut short."

                # D-Bus errors, time-outs: an error note naming the error.
                refused = await call("Fail", {"arg0": "because"})
                [(severity, text)] = notes(refused)
                assert severity == "error"
                assert "org.adhocd.Test.Error.Refused" in text and "refused on purpose: because" in text
                slow = await call("Sleep", {"arg0": "5"})
                [(severity, text)] = notes(slow)
                assert (severity, text) == ("error", "Sleep failed: Sleep did not answer within 1.5 s.")

                # Properties: a result form; a writable one set through a pre-filled typed form.
                properties = await execute(user, bot.jid, f"{TEST}/properties")
                assert {"Counter": "7", "Version": "1.2.3"}.items() <= {
                    key: field["value"] for key, field in form_fields(properties).items()}.items()
                asked = await execute(user, bot.jid, f"{TEST}.Counter/set")
                assert form_fields(asked)["value"]["value"] == "7"
                assert datatype(form_fields(asked)["value"]) == "xs:int"
                await execute(user, bot.jid, f"{TEST}.Counter/set", action="complete",
                              sessionid=asked["command"]["sessionid"], form={"value": "-12"})
                assert bus.property("org.adhocd.Test", "/org/adhocd/Test", "org.adhocd.Test.Signatures",
                                    "Counter") == "int32 -12"

                # The service dies mid-call: the requester still gets an answer, and the commands go.
                vanished = await execute(user, bot.jid, f"{TEST}.Vanish")
                [(severity, text)] = notes(vanished)
                assert severity == "error" and "Vanish" in text
                await wait_for(lambda: command_nodes(user, bot.jid), [])
                assert "left the bus" in bot.log_text()
        run(scenario())


def test_systemd_preset_against_a_standin_manager(sandbox, bus):
    """The real systemd does not run in CI containers: services/systemd_standin.py implements
    the members the preset uses, on the private bus."""
    bus.start_service("systemd_standin.py", "org.freedesktop.systemd1", "nginx.service", "postgresql.service")
    with running_bot(sandbox, {"preset": "systemd", "label": "Web", "bus": bus.address,
                              "units": ["nginx.service"], "allow": ["group:admins"]}) as bot:
        async def scenario():
            await join_group(sandbox, groups=("admins",))
            async with xmpp_client(sandbox, "user", "userpw") as admin, \
                    xmpp_client(sandbox, "stranger", "strangerpw") as stranger:
                await wait_for(lambda: command_nodes(admin, bot.jid), [
                    "systemd/nginx.service/status", "systemd/nginx.service/start",
                    "systemd/nginx.service/stop", "systemd/nginx.service/restart"])
                assert await command_nodes(stranger, bot.jid) == []

                status = await execute(admin, bot.jid, "systemd/nginx.service/status")
                assert notes(status) == [("info", "nginx.service is active (running).")]

                # Stop asks first; declining leaves the unit alone.
                asked = await execute(admin, bot.jid, "systemd/nginx.service/stop")
                assert asked["command"]["status"] == "executing"
                assert form_fields(asked)["confirm"]["type"] == "boolean"
                declined = await execute(admin, bot.jid, "systemd/nginx.service/stop", action="complete",
                                         sessionid=asked["command"]["sessionid"], form={"confirm": "0"})
                assert notes(declined) == [("info", "nginx.service was left alone.")]
                assert "JOB" not in bus.output("systemd_standin.py")

                asked = await execute(admin, bot.jid, "systemd/nginx.service/stop")
                stopped = await execute(admin, bot.jid, "systemd/nginx.service/stop", action="complete",
                                        sessionid=asked["command"]["sessionid"], form={"confirm": "1"})
                assert notes(stopped) == [("info", "Stop of nginx.service queued; it is inactive (dead) now.")]
                asked = await execute(admin, bot.jid, "systemd/nginx.service/restart")
                restarted = await execute(admin, bot.jid, "systemd/nginx.service/restart", action="complete",
                                          sessionid=asked["command"]["sessionid"], form={"confirm": "true"})
                assert notes(restarted)[0][1].startswith("Restart of nginx.service queued")
                started = await execute(admin, bot.jid, "systemd/nginx.service/start")
                assert notes(started)[0][0] == "info"
                assert [line for line in bus.output("systemd_standin.py").splitlines() if line.startswith("JOB")] == [
                    "JOB StopUnit nginx.service replace", "JOB RestartUnit nginx.service replace",
                    "JOB StartUnit nginx.service replace"]
        run(scenario())


def test_introspect_previews_the_commands_a_block_would_generate(bus):
    bus.start_service("signature_service.py", "org.adhocd.Test")

    def introspect(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(adhocd_binary()), "dbus", "introspect", "--bus", bus.address, *arguments],
                              capture_output=True, text=True, timeout=30)

    preview = introspect("org.adhocd.Test")
    assert preview.returncode == 0, preview.stderr
    assert "object /org/adhocd/Test" in preview.stdout
    assert f"method Basics → node {TEST}.Basics" in preview.stdout
    assert 'field arg0 "byte" text-single (D-Bus y) xs:unsignedByte 0…255 required' in preview.stdout
    assert "(not exposed: argument type h can't be typed in a form)" in preview.stdout
    assert "property Counter: i (readwrite)" in preview.stdout
    assert "[[dbus]]" in preview.stdout and 'service = "org.adhocd.Test"' in preview.stdout

    missing = introspect("org.adhocd.Missing")
    assert missing.returncode == 1
    assert "org.adhocd.Missing is not on the" in missing.stderr
