#!/usr/bin/env python3
"""adhocd in action against a throwaway Prosody on loopback.

Starts Prosody (temp dir, self-signed CA, accounts bot and user), a private D-Bus session bus
with mpv playing a tone (its MPRIS plugin makes it a media player on that bus), and adhocd as
the bot. Then it plays a contact with slixmpp: no commands while the contact is in no group,
the admin puts them in group `coloc`, the commands appear, `status` runs, the media remote
pauses the film, the same is done by typing (`help`, `play`, the alias `pause`) as from a client
with no command UI, `set-presence` changes what the contact sees. Then it waits (Ctrl-C to stop)
so you can log in with any XMPP client.
"""

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from urllib.parse import quote
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "Tests" / "interop"))

from prosody_sandbox import Sandbox  # noqa: E402
from adhocd_harness import (Adhocd, BotChat, command_nodes, execute, form_fields, is_available, set_roster_groups,  # noqa: E402
                            xmpp_client)
from dbus_harness import PrivateBus, missing_programs  # noqa: E402

DEMO_COMMANDS = ("uptime.toml", "disk-usage.sh")

RULES = {
    "presence": {"status": "Demo bot on this machine"},
    # The machine's health as the bot's presence, checked every 10 s.
    "monitor": {"interval": 10},
    "commands.status": {"allow": ["self", "group:coloc"]},
    "commands.set-presence": {"allow": ["self", "group:coloc"]},
    "commands.reload": {"allow": ["self"]},
}


def say(text: str) -> None:
    print(f"\033[1m==> {text}\033[0m", flush=True)


async def typed(chat: BotChat, line: str, shown: int = 12) -> str:
    """Types a line to the bot and prints the exchange as a chat client shows it."""
    answer = await chat.say(line)
    print(f"    you: {line}")
    lines = answer.splitlines()
    for index, text in enumerate(lines[:shown]):
        print(f"    {'bot: ' if index == 0 else '     '}{text}")
    if len(lines) > shown:
        print(f"         … ({len(lines) - shown} more lines)")
    return answer


async def play(sandbox, bot) -> list[str]:
    """Plays the contact; returns the command nodes the contact may run."""
    user_jid = f"user@{sandbox.domain}"
    async with xmpp_client(sandbox, "user", "userpw", resource="demo") as user:
        say(f"{user_jid} asks {bot.jid} for its commands")
        print(f"    {await command_nodes(user, bot.jid) or 'none: the user is in no roster group a rule allows'}")

        say(f"the admin (bot@{sandbox.domain}/admin) puts {user_jid} into roster group 'coloc'")
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            await set_roster_groups(admin, user_jid, ["coloc"])
        await asyncio.sleep(0.3)
        say("the same question again")
        print(f"    {await command_nodes(user, bot.jid)}")

        if bot.tables.get("dbus"):
            say("the media remote (mpris/remote): what is playing, then 'play-pause'")
            first = await execute(user, bot.jid, "mpris/remote")
            fields = form_fields(first)
            print(f"    {fields['title']['value']}: {fields['status']['value']}, volume {fields['volume']['value']}")
            print(f"    buttons: {', '.join(option['label'] for option in fields['action']['options'])}")
            paused = await execute(user, bot.jid, "mpris/remote", action="next", sessionid=first["command"]["sessionid"],
                                   form={"action": "play-pause"})
            print(f"    {paused['command']['notes'][0][1]}; mpv is now {form_fields(paused)['status']['value']}")
            await execute(user, bot.jid, "mpris/remote", action="complete", sessionid=first["command"]["sessionid"], form={})

        say("the same by typing, as from a client with no command UI (Conversations, Monal, Dino)")
        chat = BotChat(user, bot.jid)
        await typed(chat, "help")
        if bot.tables.get("dbus"):
            await typed(chat, "remote", shown=5)
            await typed(chat, "play", shown=5)
            await typed(chat, "done")
            await typed(chat, "pause", shown=5)
            await typed(chat, "done")
        await typed(chat, "uptime")

        say("running 'uptime' and 'disk-usage' from commands.d (programs run without a shell, audited)")
        uptime = await execute(user, bot.jid, "uptime")
        print(f"    {uptime['command']['notes'][0][1].strip()}")
        async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
            disks = await execute(admin, bot.jid, "disk-usage")
        for item in disks["command"]["form"]["items"][:3]:
            print("    " + "  ".join(str(value) for value in item.values()))
        print(f"    audit log: {len(bot.audit_entries())} entries in {bot.audit_log}")

        say("running 'status'")
        form = (await execute(user, bot.jid, "status"))["command"]["form"]
        for field in form.get_fields().values():
            if field["type"] != "hidden":
                print(f"    {field['label']:<20} {field['value']}")
        for item in form["items"]:
            print(f"    disk {item['mount']:<15} {item['used']:>10} of {item['size']:>10} ({item['use']})")

        presences = asyncio.Queue()
        user.add_event_handler("presence",
                               lambda presence: presences.put_nowait(presence) if presence["from"].full == bot.jid and is_available(presence) else None)
        user.send_presence_subscription(pto=f"bot@{sandbox.domain}")
        first = await asyncio.wait_for(presences.get(), 10)
        say(f"the bot approved the subscription; its presence, from the health monitor: "
            f"show={first['show'] or 'online'} status={first['status']!r}")

        say("running 'set-presence' (two stages: form, then complete)")
        started = await execute(user, bot.jid, "set-presence")
        done = await execute(user, bot.jid, "set-presence", action="complete", sessionid=started["command"]["sessionid"],
                             form={"status": "away", "status-message": "film night, do not disturb the server"})
        print(f"    {done['command']['notes'][0][1]}")
        while (presence := await asyncio.wait_for(presences.get(), 10))["show"] != "away":
            pass
        say(f"the contact now sees: show={presence['show']} status={presence['status']!r}")
        return await command_nodes(user, bot.jid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-wait", action="store_true", help="stop after the scripted part")
    arguments = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="adhocd-demo-"))
    workdir.chmod(0o755)
    sandbox = Sandbox.start(str(workdir / "prosody"), accounts={"bot": "botpw", "user": "userpw"})
    bot = None
    bus = None
    try:
        say(f"Prosody is up on {sandbox.host}:{sandbox.c2s_port} (domain {sandbox.domain}, CA {sandbox.ca_file})")
        tables = dict(RULES)
        missing = missing_programs("dbus-daemon", "mpv")
        if missing:
            say(f"{', '.join(missing)} not installed: no media player in this demo (make demo installs them)")
        else:
            bus = PrivateBus()
            bus.start_mpv()
            say(f"mpv is playing a tone on a private session bus ({bus.address})")
            tables["dbus"] = [{"preset": "mpris", "bus": bus.address, "allow": ["self", "group:coloc"]}]
            # One word to pause or resume, for chat clients.
            tables["chat.aliases"] = {"pause": "mpris/remote action=play-pause"}
        bot = Adhocd(sandbox, tables)
        # The read-only examples of commands.d; reboot and restart-service would act on this machine.
        for example in DEMO_COMMANDS:
            source = REPO / "commands.d" / example
            bot.add_command(example, source.read_text(), executable=os.access(source, os.X_OK))
        bot.start()
        say(f"adhocd is online as {bot.jid} (log: {bot.log})")
        for line in bot.log_text().splitlines():
            if "connected" in line:
                print(f"    {line}")
        nodes = asyncio.run(asyncio.wait_for(play(sandbox, bot), 60))
        links = "\n".join(f"    {node:<16} xmpp:{bot.jid}?command;node={quote(node, safe='')}" for node in nodes)
        print(f"""
Try it yourself with any XMPP client that has a command UI (Gajim, Psi, Movim, Poezio, Cheogram):
    account   user@{sandbox.domain}      password  userpw   (group coloc: the commands below)
    account   bot@{sandbox.domain}       password  botpw    (the bot's own account, another resource: every command)
    server    {sandbox.host}  port {sandbox.c2s_port}  (STARTTLS; trust {sandbox.ca_file} or accept the certificate)
then open the commands of {bot.jid}, or one of these links (Cheogram opens them):
{links}
From a client with no command UI (Conversations, Monal, Dino), write "help" to bot@{sandbox.domain}.
""")
        if not arguments.no_wait and sys.stdin.isatty():
            say("running; press Ctrl-C to stop")
            bot.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if bot:
            status = bot.stop()
            say(f"adhocd stopped (exit status {status})")
        if bus:
            bus.close()
        sandbox.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
