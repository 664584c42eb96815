"""Runs the real adhocd binary against a sandbox Prosody, and drives it with slixmpp.

slixmpp is an independent XMPP library: if adhocd gets the protocol wrong in a way our
own Swift client would not notice, these tests do.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import slixmpp
from slixmpp.exceptions import IqError
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

REPO = Path(__file__).resolve().parents[2]
COMMANDS_NS = "http://jabber.org/protocol/commands"
# The rules most ad-hoc tests run under: the account itself, and its roster group `coloc`.
COLOC_RULES = {
    "commands.status": {"allow": ["self", "group:coloc"]},
    "commands.set-presence": {"allow": ["self", "group:coloc"]},
    "commands.reload": {"allow": ["self"]},
    "commands.echo": {"enabled": True, "allow": ["group:coloc"]},
}


def adhocd_binary() -> Path:
    """The binary under test: $ADHOCD_BIN, else the debug build."""
    path = Path(os.environ.get("ADHOCD_BIN", REPO / ".build" / "debug" / "adhocd"))
    if not path.exists():
        raise RuntimeError(f"{path} not found: run `swift build` first (make test does)")
    return path


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def render_toml(tables: dict[str, dict | list[dict]]) -> str:
    """Tables; a list of tables becomes an array of tables (`[[dbus]]`)."""
    lines = []
    for name, content in tables.items():
        for table in content if isinstance(content, list) else [content]:
            lines.append(f"[[{name}]]" if isinstance(content, list) else f"[{name}]")
            lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
            lines.append("")
    return "\n".join(lines)


class Adhocd:
    """One adhocd process logged in as `account` (default `bot`) on the sandbox."""

    def __init__(self, sandbox, tables: dict[str, dict], name: str = "adhocd", account: str = "bot"):
        self.sandbox = sandbox
        # Beside the sandbox, not in it: as root, the sandbox's directory belongs to the prosody
        # user, and adhocd trusts commands.d and the programs it runs only through directories
        # that nobody but root (or adhocd's own user) can change.
        self.dir = Path(f"{sandbox.dir}.{name}")
        self.dir.mkdir(mode=0o755, exist_ok=True)
        # Removed when the test session ends (not with this object: a test may start a second
        # daemon in the same directory).
        atexit.register(shutil.rmtree, str(self.dir), True)
        self.config = self.dir / "adhocd.toml"
        self.log = self.dir / "adhocd.log"
        self.jid = f"{account}@{sandbox.domain}/adhocd"
        # commands.d beside the configuration (the default place), with safe permissions.
        self.commands_dir = self.dir / "commands.d"
        self.commands_dir.mkdir(mode=0o755, exist_ok=True)
        self.commands_dir.chmod(0o755)
        self.audit_log = self.dir / "audit.jsonl"
        password_file = self.dir / "password"
        password_file.write_text(sandbox.accounts[account] + "\n")
        password_file.chmod(0o600)
        base = {
            "account": {
                "jid": f"{account}@{sandbox.domain}",
                "password_file": str(password_file),
                "host": sandbox.host,
                "port": sandbox.c2s_port,
                "ca_file": sandbox.ca_file,
            },
            "commands_d": {"audit_log": str(self.audit_log)},
        }
        for table, values in tables.items():
            if isinstance(values, list):
                base[table] = values
            else:
                base.setdefault(table, {}).update(values)
        self.tables = base
        self.write_config()
        self.process: subprocess.Popen | None = None

    def write_config(self) -> None:
        """Replaces the file in one step, as an editor saving it does: a reload never reads half."""
        partial = self.config.with_suffix(".partial")
        partial.write_text(render_toml(self.tables))
        os.replace(partial, self.config)

    def add_command(self, name: str, text: str, executable: bool = False) -> Path:
        """Writes a definition into commands.d, owned by us and writable by nobody else."""
        path = self.commands_dir / name
        path.write_text(text)
        path.chmod(0o755 if executable else 0o644)
        return path

    def audit_entries(self, delivered: bool = False) -> list[dict]:
        """The audit log, one dict a line. The `delivered` lines of ad-hoc runs (written when the
        client learns how the answer went, so after the answer reached the test) only when asked."""
        if not self.audit_log.exists():
            return []
        entries = [json.loads(line) for line in self.audit_log.read_text().splitlines() if line]
        return entries if delivered else [entry for entry in entries if entry.get("event") != "delivered"]

    def start(self, timeout: float = 20) -> "Adhocd":
        self.log_handle = open(self.log, "ab")
        self.process = subprocess.Popen(
            [str(adhocd_binary()), "run", "--config", str(self.config), "--log-level", "debug"],
            stdout=self.log_handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.wait_for_log("roster fetched", timeout)
        return self

    def wait_for_log(self, text: str, timeout: float = 20, after: int = 0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_text()[after:]:
                return
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"adhocd exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            time.sleep(0.05)
        raise TimeoutError(f"adhocd did not log {text!r} in {timeout} s:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def reload(self) -> None:
        """SIGHUP, then wait until the reload is logged."""
        mark = len(self.log_text())
        self.process.send_signal(signal.SIGHUP)
        self.wait_for_log("Reloaded", after=mark)

    def stop(self) -> int:
        """SIGTERM and wait; returns the exit status (0 is a graceful exit)."""
        if not self.process or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise
        finally:
            self.log_handle.close()


def tls_context(ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file)
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


@contextlib.asynccontextmanager
async def xmpp_client(sandbox, name: str, password: str, resource: str = "pytest", plugins: tuple[str, ...] = (), setup=None):
    """A logged-in slixmpp client with the disco, forms, commands and caps plugins, and `plugins`
    (such as xep_0118, whose interest in tunes the caps then advertise as +notify). `setup(client)`
    runs before the initial presence, after which the server delivers stored messages."""
    client = slixmpp.ClientXMPP(f"{name}@{sandbox.domain}/{resource}", password)
    client.ssl_context = tls_context(sandbox.ca_file)
    client.enable_direct_tls = False
    for plugin in ("xep_0030", "xep_0004", "xep_0050", "xep_0115", "xep_0199", *plugins):
        client.register_plugin(plugin)
    # Keep the test's own auto-behaviour predictable.
    client.auto_authorize = True
    client.auto_subscribe = False
    started = asyncio.get_running_loop().create_future()
    client.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
    client.add_event_handler("failed_auth", lambda _: started.done() or started.set_exception(RuntimeError("auth failed")))
    client.connect(sandbox.host, sandbox.c2s_port)
    try:
        await asyncio.wait_for(started, 20)
        await client.get_roster()
        if setup:
            setup(client)
        client.send_presence()
        yield client
    finally:
        client.disconnect()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.disconnected, 5)


def is_available(presence) -> bool:
    """slixmpp reports an available presence's type as its show value."""
    return presence["type"] in ("available", "chat", "away", "xa", "dnd")


class BotPresence:
    """Everything one contact's client hears from the bot's account, in order."""

    def __init__(self, client, bot_bare: str):
        self.queue = asyncio.Queue()
        self.messages = asyncio.Queue()
        client.add_event_handler(
            "presence", lambda presence: self.queue.put_nowait(presence) if presence["from"].bare == bot_bare else None)
        client.add_event_handler(
            "message", lambda message: self.messages.put_nowait(message) if message["from"].bare == bot_bare else None)

    async def next(self, match, timeout=15):
        """The first presence `match` accepts; earlier ones are dropped."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching presence from the bot")
            presence = await asyncio.wait_for(self.queue.get(), remaining)
            if match(presence):
                return presence

    async def available(self, show, status_part, timeout=15):
        """The first available presence with this show ("" for plain available) whose status
        contains `status_part`."""
        return await self.next(lambda p: is_available(p) and p["show"] == show and status_part in p["status"], timeout)

    async def nothing_for(self, seconds, match):
        """Asserts that no presence `match` accepts arrives within `seconds`."""
        try:
            presence = await self.next(match, timeout=seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected presence from the bot: {presence}")


async def set_roster_groups(client, contact: str, groups: list[str]) -> None:
    """Puts `contact` into these groups of the logged-in account's roster (a roster set)."""
    await client.update_roster(contact, groups=groups)


async def command_nodes(client, bot_jid: str) -> list[str]:
    """The command nodes the bot lists for this client, in the bot's order."""
    answer = await client.plugin["xep_0050"].get_commands(bot_jid)
    return [item.get("node") for item in answer["disco_items"].xml
            if item.tag == "{http://jabber.org/protocol/disco#items}item"]


async def execute(client, bot_jid: str, node: str, *, action: str = "execute",
                  sessionid: str | None = None, form: dict | None = None, form_type: str = "submit",
                  timeout: float = 15):
    """Sends one <command/> and returns its answer (the Iq); raises IqError on an error answer."""
    payload = None
    if form is not None:
        payload = client.plugin["xep_0004"].make_form(ftype=form_type)
        for var, value in form.items():
            payload.add_field(var=var, value=value)
    return await client.plugin["xep_0050"].send_command(
        bot_jid, node, action=action, sessionid=sessionid, payload=payload, timeout=timeout)


async def software_version(client, jid: str) -> str:
    """The name a jabber:iq:version query answers; raises IqError on an error answer."""
    iq = client.Iq(stype="get", sto=jid)
    iq.xml.append(ET.Element("{jabber:iq:version}query"))
    answer = await iq.send(timeout=10)
    return answer.xml.find("{jabber:iq:version}query/{jabber:iq:version}name").text


def error_of(error: IqError) -> tuple[str, str | None]:
    """(condition, XEP-0050 application condition) of an error answer."""
    iq = error.iq
    error = iq["error"]
    application = None
    for child in error.xml:
        if child.tag.startswith("{" + COMMANDS_NS + "}"):
            application = child.tag.split("}")[1]
    return error["condition"], application


def run(coroutine, timeout: float = 90):
    """Runs one test scenario with an overall time limit."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def wait_for(probe, expected, timeout: float = 5):
    """Polls the coroutine function `probe` until it returns `expected`; asserts at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value == expected or time.monotonic() > deadline:
            assert value == expected, f"still {value!r} after {timeout} s, expected {expected!r}"
            return
        await asyncio.sleep(0.1)


async def join_group(sandbox, contact: str = "user", groups: tuple[str, ...] = ("coloc",)) -> None:
    """An admin's client (another resource of the bot account) puts `contact` into `groups`."""
    async with xmpp_client(sandbox, "bot", "botpw", resource="admin") as admin:
        await set_roster_groups(admin, f"{contact}@{sandbox.domain}", list(groups))
    await asyncio.sleep(0.2)


def form_fields(answer) -> dict:
    """{var: field} of the form in a <command/> answer."""
    return answer["command"]["form"].get_fields()


def notes(answer) -> list[tuple[str, str]]:
    return [tuple(note) for note in answer["command"]["notes"]]


class BotChat:
    """A conversation with the bot as a client with no command UI has it: plain chat messages.

    Only messages with a body count as answers (chat states and receipts have none); `stanzas`
    keeps every message from the bot, for tests of hints, receipts and chat states."""

    def __init__(self, client, bot_jid: str, to: str | None = None):
        self.client = client
        self.bot_bare = bot_jid.split("/")[0]
        # Phones write to the bare JID; the server hands the message to the bot's resource.
        self.to = to or self.bot_bare
        self.answers = asyncio.Queue()
        self.stanzas = []
        # Every <message/>: slixmpp's "message" event skips those without a body (receipts,
        # chat states).
        client.register_handler(Callback(f"bot chat {id(self)}", MatchXPath("{jabber:client}message"), self._heard))

    def _heard(self, message) -> None:
        if message["from"].bare != self.bot_bare:
            return
        self.stanzas.append(message)
        if message["body"]:
            self.answers.put_nowait(message["body"])

    def send(self, text: str, **extra) -> None:
        self.client.send_message(mto=self.to, mbody=text, mtype="chat", **extra)

    async def say(self, text: str, timeout: float = 20) -> str:
        """Sends a line and returns the next answer."""
        self.send(text)
        return await self.answer(timeout)

    async def answer(self, timeout: float = 20) -> str:
        return await asyncio.wait_for(self.answers.get(), timeout)

    async def silence(self, seconds: float = 2) -> None:
        """Asserts that no answer arrives within `seconds`."""
        try:
            answer = await asyncio.wait_for(self.answers.get(), seconds)
        except asyncio.TimeoutError:
            return
        raise AssertionError(f"unexpected answer from the bot: {answer!r}")
