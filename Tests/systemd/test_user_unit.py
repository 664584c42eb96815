"""The user unit (adhocd-user.service, installed as /usr/lib/systemd/user/adhocd.service) for a
lingering user: it reaches that user's session bus and offers the mpv started there as a
media remote. It logs in as its own account, `media`, beside the system service's bot."""

import contextlib
from pathlib import Path

from slixmpp.exceptions import IqError

from adhocd_harness import command_nodes, execute, form_fields, run, wait_for, xmpp_client
from support import USER_UNIT

USER = "alice"
MPV_UNIT = "adhocd-test-mpv.service"
MPV = ["mpv", "--idle=yes", "--ao=null", "--vo=null", "--no-terminal", "--loop-file=inf", "--volume=50",
       "--force-media-title=Test tone", "av://lavfi:sine=frequency=440"]


class Session:
    """Commands in the user's session: its manager and its bus."""

    def __init__(self, machine, user: str):
        self.machine = machine
        self.user = user
        self.uid = machine.output("id", "-u", user)
        self.home = f"/home/{user}"

    def run(self, *argv: str, **options):
        return self.machine.run("env", f"XDG_RUNTIME_DIR=/run/user/{self.uid}", *argv, user=self.user, **options)

    def systemctl(self, *argv: str, **options):
        return self.run("systemctl", "--user", *argv, **options)

    def player_status(self) -> str:
        return self.run("busctl", "--user", "get-property", "org.mpris.MediaPlayer2.mpv", "/org/mpris/MediaPlayer2",
                        "org.mpris.MediaPlayer2.Player", "PlaybackStatus").stdout.strip()

    def write(self, path: str, text: str, mode: str = "600") -> None:
        """Writes a file in the user's home; its directories are made by the user, as theirs."""
        target = f"{self.home}/{path}"
        self.run("mkdir", "-p", target.rsplit("/", 1)[0])
        self.machine.write_file(target, text, mode=mode, owner=self.user, group=self.user)


def user_configuration(prosody, home: str) -> str:
    return f"""[account]
jid = "{prosody.jid('media')}"
password_file = "{home}/.config/adhocd/password"
host = "{prosody.host}"
port = {prosody.c2s_port}
ca_file = "{home}/.config/adhocd/ca.pem"

[commands_d]
audit_log = "{home}/.local/state/adhocd/commands.jsonl"

[[dbus]]
preset = "mpris"
allow = ["jid:{prosody.jid('user')}"]
"""


@contextlib.contextmanager
def lingering(machine, user: str):
    """A user whose manager and session bus run while nobody is logged in."""
    if machine.run("id", user, check=False).returncode != 0:
        machine.run("adduser", "--disabled-password", "--gecos", "", user)
    machine.run("loginctl", "enable-linger", user)
    try:
        session = Session(machine, user)
        machine.wait_for_unit(f"user@{session.uid}.service", {"ActiveState": "active"})
        yield session
    finally:
        machine.run("loginctl", "disable-linger", user, check=False)


def test_the_user_unit_offers_the_sessions_mpris_player(adhocd, machine, prosody):
    assert machine.read_file("/usr/lib/systemd/user/adhocd.service") == USER_UNIT.read_text()
    with lingering(machine, USER) as session:
        session.write(".config/adhocd/adhocd.toml", user_configuration(prosody, session.home))
        session.write(".config/adhocd/password", "mediapw\n")
        session.write(".config/adhocd/ca.pem", Path(prosody.ca_file).read_text())
        session.run("mkdir", "-p", f"{session.home}/.local/state/adhocd")
        session.run("systemd-run", "--user", f"--unit={MPV_UNIT}", "--", *MPV)
        try:
            session.systemctl("enable", "--now", "adhocd")
            media = f"{prosody.jid('media')}/adhocd"

            async def player_status():
                return session.player_status()

            async def offered(phone):
                """The bot's commands; None while it is not online yet (the server answers for it)."""
                try:
                    return await command_nodes(phone, media)
                except IqError:
                    return None

            async def scenario():
                async with xmpp_client(prosody, "user", "userpw", resource="phone") as phone:
                    await wait_for(lambda: offered(phone), ["mpris/remote"], timeout=30)
                    # mpv is on the bus a moment before it plays.
                    await wait_for(player_status, 's "Playing"', timeout=15)
                    first = await execute(phone, media, "mpris/remote")
                    fields = form_fields(first)
                    assert (fields["title"]["value"], fields["status"]["value"]) == ("Test tone", "Playing")
                    paused = await execute(phone, media, "mpris/remote", action="next",
                                           sessionid=first["command"]["sessionid"], form={"action": "play-pause"})
                    # The answer may show the state from just before mpv applied the change.
                    assert form_fields(paused)["status"]["value"] in ("Paused", "Playing")
                    await wait_for(player_status, 's "Paused"')
                    await execute(phone, media, "mpris/remote", action="complete",
                                  sessionid=first["command"]["sessionid"], form={})
            run(scenario())
        finally:
            session.systemctl("disable", "--now", "adhocd", check=False)
            session.systemctl("stop", MPV_UNIT, check=False)
