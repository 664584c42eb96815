#!/usr/bin/env python3
"""A throwaway Prosody XMPP server on loopback, for adhocd's tests, demo and benchmark.

    prosody_sandbox.py start --dir DIR [--domain localhost] [--account NAME:PASSWORD ...]
                             [--disable-mechanism MECH ...] [--allow-plaintext]
                             [--conflict-resolve kick_old|kick_new|increment|random]
                             [--log-level info|debug]
    prosody_sandbox.py stop --dir DIR        # stop the server, keep its files
    prosody_sandbox.py restart --dir DIR     # same config, ports, data and accounts
    prosody_sandbox.py kill --dir DIR        # SIGKILL, as in a crash (no stream close)
    prosody_sandbox.py register --dir DIR NAME:PASSWORD
    prosody_sandbox.py reap [--root /tmp]    # stop every sandbox server under root (CI cleanup)

`start` and `restart` print one line of JSON to stdout once the server accepts connections:
{"dir", "domain", "host", "c2s_port", "direct_tls_port", "ca_file", "pid", "log", "config",
"accounts"}; the same JSON is kept in DIR/sandbox.json. Everything else goes to stderr.

As a module (the CLI is a thin layer over it):

    from prosody_sandbox import Sandbox
    with Sandbox.start(dir, accounts={"bot": "pw"}) as sb:
        sb.c2s_port, sb.direct_tls_port, sb.ca_file, sb.jid("bot"), ...

Prosody refuses to run as root, and prosodyctl switches to the `prosody` user when started as
root; so as root the sandbox directory is handed to that user and the server runs as it.
Linux only: finding and stopping servers reads /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

MARKER = ".adhocd-sandbox"
STATE_FILE = "sandbox.json"
CONFIG_FILE = "prosody.cfg.lua"
LOG_FILE = "prosody.log"
PID_FILE = "prosody.pid"
CONSOLE_FILE = "prosody.console"  # prosody's own stdout/stderr: errors before logging is set up
SERVER_USER = "prosody"

HOST = "127.0.0.1"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
PORT_ATTEMPTS = 3
TAIL_LINES = 40

# Prosody's `disable_sasl_mechanisms` default (0.12 has no DIGEST-MD5 any more; kept so the
# default list means the same as Prosody's own).
DEFAULT_DISABLED_MECHANISMS = ("DIGEST-MD5",)

# Modules on top of those Prosody always loads (c2s, presence, message, iq, posix, ...): what a
# client test needs, PEP for the bot's User Tune and XEP-0198 stream management (smacks). No
# mod_register (accounts come from prosodyctl), no mod_limits.
MODULES_ENABLED = ("roster", "saslauth", "tls", "disco", "ping", "version", "pep", "smacks")
# Autoloaded modules we do not want: no server-to-server; no offline storage, so a message
# sent while the bot is down is not replayed into a later test step (unless a test asks for it:
# `offline_storage=True`, for what the bot does with messages stored while it was away).
MODULES_DISABLED = ("s2s", "s2s_auth_certs", "offline")

# Prosody's `conflict_resolve`: what happens when a second session binds a resource in use.
CONFLICT_POLICIES = ("kick_old", "kick_new", "increment", "random")

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")
_MECHANISM = re.compile(r"[A-Z0-9_-]{1,40}")


class SandboxError(RuntimeError):
    """Anything that keeps the sandbox from doing what was asked; the message says why."""


class _PortsTaken(SandboxError):
    """Prosody could not bind a port we picked: someone took it in the meantime."""


def _note(message: str) -> None:
    print(f"prosody_sandbox: {message}", file=sys.stderr, flush=True)


# ---- Sandbox --------------------------------------------------------------------------------


class Sandbox:
    """One Prosody server living in its own directory.

    Create with `Sandbox.start(...)`, or `Sandbox.load(dir)` for one started elsewhere (e.g. by
    the CLI). Attributes: dir, domain, host, c2s_port, direct_tls_port, pid (None when not
    running), accounts, and the paths ca_file, log, config.
    """

    def __init__(self, dir, domain: str, c2s_port: int = 0, direct_tls_port: int = 0,
                 pid: int | None = None, accounts: dict[str, str] | None = None):
        self.dir = str(Path(dir).resolve())
        self.domain = domain
        self.host = HOST
        self.c2s_port = c2s_port
        self.direct_tls_port = direct_tls_port
        self.pid = pid
        self.accounts = dict(accounts or {})
        # An external component (XEP-0114) at `component_domain`, when started with a secret.
        self.component_secret: str | None = None
        self.component_port = 0
        self._process: subprocess.Popen | None = None  # set when this Python process started it

    # -- paths

    @property
    def path(self) -> Path:
        return Path(self.dir)

    @property
    def config(self) -> str:
        return str(self.path / CONFIG_FILE)

    @property
    def log(self) -> str:
        return str(self.path / LOG_FILE)

    @property
    def ca_file(self) -> str:
        return str(self.path / "certs" / "ca.crt")

    @property
    def cert_file(self) -> str:
        return str(self.path / "certs" / f"{self.domain}.crt")

    @property
    def key_file(self) -> str:
        return str(self.path / "certs" / f"{self.domain}.key")

    def jid(self, name: str) -> str:
        return f"{name}@{self.domain}"

    @property
    def muc_domain(self) -> str:
        """Where rooms live when the sandbox was started with `muc`."""
        return f"conference.{self.domain}"

    @property
    def component_domain(self) -> str:
        """The external component's domain when the sandbox was started with `component_secret`."""
        return f"component.{self.domain}"

    # -- life cycle

    @classmethod
    def start(cls, dir, domain: str = "localhost", accounts: dict[str, str] | None = None,
              disable_mechanisms=(), allow_plaintext: bool = False, log_level: str = "info",
              conflict_resolve: str = "kick_old", offline_storage: bool = False, muc: bool = False,
              component_secret: str | None = None) -> Sandbox:
        """Creates the sandbox in `dir` (made if missing) and starts the server; returns once
        it accepts TLS connections. On failure nothing is left running. `offline_storage` keeps
        messages for accounts with no client online (mod_offline) and delivers them, stamped
        with `<delay/>`, at their next login. `muc` adds a multi-user chat service (XEP-0045,
        Prosody's mod_muc) at `muc_domain`, where any account may create rooms.
        `component_secret` adds an external component (XEP-0114) at `component_domain`, which a
        test connects to `component_port` with that secret (a service that misbehaves on
        purpose); until it does, Prosody answers stanzas to that domain with an error."""
        domain = domain.lower()
        if not _DOMAIN.fullmatch(domain):
            raise SandboxError(f"invalid domain {domain!r}: "
                               "use a DNS name like 'localhost' or 'example.test'")
        mechanisms = [name.upper() for name in disable_mechanisms] or list(DEFAULT_DISABLED_MECHANISMS)
        for name in mechanisms:
            if not _MECHANISM.fullmatch(name):
                raise SandboxError(f"invalid SASL mechanism name {name!r}")
        if log_level not in ("info", "debug"):
            raise SandboxError(f"invalid log level {log_level!r}: use info or debug")
        if conflict_resolve not in CONFLICT_POLICIES:
            raise SandboxError(f"invalid conflict policy {conflict_resolve!r}: "
                               f"use one of {', '.join(CONFLICT_POLICIES)}")
        accounts = dict(accounts or {})
        for name, password in accounts.items():
            _check_account(name, password)
        _require_programs()

        sandbox = cls(dir, domain)
        sandbox.component_secret = component_secret
        sandbox._prepare_directory()
        try:
            sandbox._make_certificates()
            for attempt in range(1, PORT_ATTEMPTS + 1):
                sandbox.c2s_port, sandbox.direct_tls_port, component_port = _free_ports(3)
                sandbox.component_port = component_port if component_secret else 0
                sandbox._write_config(mechanisms, allow_plaintext, log_level, conflict_resolve, offline_storage, muc)
                sandbox._hand_over()
                if attempt == 1:
                    # The server need not run: prosodyctl writes the account store itself.
                    for name, password in accounts.items():
                        sandbox._prosodyctl_register(name, password)
                        sandbox.accounts[name] = password
                try:
                    sandbox._launch()
                    break
                except _PortsTaken as error:
                    if attempt == PORT_ATTEMPTS:
                        raise SandboxError(f"gave up after {attempt} attempts: {error}") from None
                    _note(f"ports {sandbox.c2s_port}/{sandbox.direct_tls_port} were taken; trying others")
        except BaseException:
            sandbox._terminate(signal.SIGKILL)
            raise
        sandbox._write_state()
        return sandbox

    @classmethod
    def load(cls, dir) -> Sandbox:
        """The sandbox in `dir` as `start` left it (running or not)."""
        path = Path(dir).resolve()
        if not (path / MARKER).is_file():
            raise SandboxError(f"{path} is not a sandbox directory (no {MARKER} in it)")
        try:
            state = json.loads((path / STATE_FILE).read_text())
            return cls(path, state["domain"], state["c2s_port"], state["direct_tls_port"],
                       state["pid"], state["accounts"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise SandboxError(f"{path / STATE_FILE} is missing or unreadable ({error}); "
                               "the sandbox never got as far as writing it") from error

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 5 s) and keeps its files. Idempotent."""
        self._terminate(signal.SIGTERM)
        self._write_state()

    def kill(self) -> None:
        """SIGKILL: the server vanishes without closing its streams, as in a crash."""
        self._terminate(signal.SIGKILL)
        self._write_state()

    def restart(self) -> Sandbox:
        """Stops the server if running and starts it again with the same config, ports, data
        and accounts (also after `kill`)."""
        self._require_config()
        self.stop()
        self._hand_over()
        try:
            self._launch()
        except _PortsTaken as error:
            raise SandboxError(f"cannot restart in place: {error}") from None
        self._write_state()
        return self

    def register(self, name: str, password: str) -> None:
        """Adds an account (or sets its password); the server may be running or not."""
        _check_account(name, password)
        self._require_config()
        self._hand_over()
        self._prosodyctl_register(name, password)
        self.accounts[name] = password
        self._write_state()

    def describe(self) -> dict:
        """What `start` prints and keeps in sandbox.json."""
        return {
            "dir": self.dir, "domain": self.domain, "host": self.host,
            "c2s_port": self.c2s_port, "direct_tls_port": self.direct_tls_port,
            "ca_file": self.ca_file, "pid": self.pid, "log": self.log, "config": self.config,
            "accounts": dict(self.accounts),
        }

    def log_tail(self, lines: int = TAIL_LINES) -> str:
        """The last lines of Prosody's log, plus anything it printed before its log was set up."""
        parts = []
        for path in (self.path / CONSOLE_FILE, Path(self.log)):
            try:
                text = path.read_text(errors="replace").strip()
            except OSError:
                continue
            if text:
                tail = "\n".join(text.splitlines()[-lines:])
                parts.append(f"--- last {lines} lines of {path} ---\n{tail}")
        return "\n".join(parts) or f"(Prosody wrote nothing to {self.log})"

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Sandbox({self.dir!r}, domain={self.domain!r}, c2s_port={self.c2s_port}, pid={self.pid})"

    # -- files

    def _prepare_directory(self) -> None:
        path = self.path
        if path.exists() and not path.is_dir():
            raise SandboxError(f"{path} exists and is not a directory")
        if path.is_dir() and any(path.iterdir()):
            if not (path / MARKER).is_file():
                raise SandboxError(f"refusing to use {path}: it is not empty and holds no {MARKER} marker")
            if _servers_using(self.config):
                raise SandboxError(f"a sandbox server is running in {path}; stop it first, or use restart")
            _note(f"{path} holds a stopped sandbox: discarding it and starting afresh")
            for entry in path.iterdir():
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o755)
        (path / MARKER).write_text("A throwaway Prosody made by adhocd's scripts/prosody_sandbox.py.\n")
        if os.geteuid() == 0:
            _make_traversable(path, _server_account())

    def _make_certificates(self) -> None:
        make_certificates(self.path / "certs", self.domain)

    def _write_config(self, disabled_mechanisms, allow_plaintext: bool, log_level: str,
                      conflict_resolve: str, offline_storage: bool = False, muc: bool = False) -> None:
        path = self.path
        tls = {"certificate": self.cert_file, "key": self.key_file}
        options = [
            ("pidfile", str(path / PID_FILE)),
            ("data_path", str(path / "data")),
            ("certificates", str(path / "certs")),
            ("plugin_paths", []),
            ("admin_socket", str(path / "prosody.sock")),
            ("log", {log_level: self.log}),
            None,
            ("interfaces", [HOST]),
            ("c2s_ports", [self.c2s_port]),
            ("c2s_direct_tls_ports", [self.direct_tls_port]),
            ("s2s_ports", []),
            ("component_ports", [self.component_port] if self.component_secret else []),
            ("component_interfaces", [HOST]),
            ("http_ports", []),
            ("https_ports", []),
            None,
            ("modules_enabled", list(MODULES_ENABLED) + (["offline"] if offline_storage else [])),
            ("modules_disabled", [name for name in MODULES_DISABLED if not (offline_storage and name == "offline")]),
            None,
            ("authentication", "internal_plain"),
            ("storage", "internal"),
            ("c2s_require_encryption", not allow_plaintext),
            ("allow_unencrypted_plain_auth", allow_plaintext),
            ("disable_sasl_mechanisms", list(disabled_mechanisms)),
            ("conflict_resolve", conflict_resolve),
            None,
            ("ssl", tls),
        ]
        lines = [
            "-- Written by adhocd's scripts/prosody_sandbox.py: a throwaway server on loopback.",
            "-- Everything it uses lives in this directory.",
            "",
        ]
        for option in options:
            lines.append("" if option is None else f"{option[0]} = {_lua(option[1])}")
        lines += [
            "",
            "-- Port-wide `ssl` above serves the direct TLS port when the client sends no SNI;",
            "-- the host's own serves STARTTLS.",
            f"VirtualHost {_lua(self.domain)}",
            f"    ssl = {_lua(tls)}",
            "",
        ]
        if muc:
            # Rooms on the same server: no s2s, no certificate of its own. Anyone may create a
            # room (Prosody's default); a new room stays locked until its creator configures it.
            lines += [
                f"Component {_lua(self.muc_domain)} \"muc\"",
                "    restrict_room_creation = false",
                "    max_history_messages = 20",
                "",
            ]
        if self.component_secret:
            lines += [
                f"Component {_lua(self.component_domain)}",
                f"    component_secret = {_lua(self.component_secret)}",
                "",
            ]
        (path / "data").mkdir(exist_ok=True)
        Path(self.config).write_text("\n".join(lines))

    def _require_config(self) -> None:
        if not Path(self.config).is_file():
            raise SandboxError(f"{self.config} is missing: this sandbox was never fully set up; "
                               "start it afresh")

    def _write_state(self) -> None:
        if (self.path / MARKER).is_file():
            (self.path / STATE_FILE).write_text(json.dumps(self.describe(), indent=2) + "\n")

    def _hand_over(self) -> None:
        """As root, gives the directory to the prosody user, which prosody and prosodyctl run as."""
        if os.geteuid() != 0:
            return
        account = _server_account()
        for root, directories, files in os.walk(self.dir):
            os.chown(root, account.pw_uid, account.pw_gid)
            for name in directories + files:
                os.chown(os.path.join(root, name), account.pw_uid, account.pw_gid, follow_symlinks=False)

    def _prosodyctl_register(self, name: str, password: str) -> None:
        command = [shutil.which("prosodyctl") or "prosodyctl", "--config", self.config,
                   "register", name, self.domain, password]
        try:
            result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                    timeout=30)
        except subprocess.TimeoutExpired as error:
            raise SandboxError(f"prosodyctl register {name} hung for {error.timeout} s") from None
        output = (result.stdout + result.stderr).strip()
        # prosodyctl exits 0 on success and says nothing; storage trouble shows up as a message
        # (e.g. "Unable to write ...") that we must not let pass either.
        if result.returncode != 0 or output:
            raise SandboxError(f"prosodyctl register {name}@{self.domain} failed (exit {result.returncode}): "
                               f"{output or 'no output'}")

    # -- process

    def _launch(self) -> None:
        """Starts prosody and waits until both ports accept TLS. Raises _PortsTaken when a port
        was grabbed by someone else meanwhile (Prosody then keeps running without it)."""
        log_offset = _size(Path(self.log))
        console = open(self.path / CONSOLE_FILE, "ab")
        options: dict = {}
        if os.geteuid() == 0:
            # Popen drops to the prosody user itself (what `runuser -u prosody --` would do), so
            # there is no process in between and `pid` is prosody's own.
            account = _server_account()
            options = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        if _signals_blocked():
            options["preexec_fn"] = _unblock_signals
        try:
            self._process = subprocess.Popen(
                [shutil.which("prosody") or "prosody", "-F", "--config", self.config],
                cwd=self.dir, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop can signal all of it
                **options)
        finally:
            console.close()
        self.pid = self._process.pid
        try:
            self._wait_until_ready(log_offset)
        except BaseException:
            self._terminate(signal.SIGKILL)
            raise

    def _wait_until_ready(self, log_offset: int) -> None:
        activated = [f"Activated service 'c2s' on [{self.host}]:{self.c2s_port}",
                     f"Activated service 'c2s_direct_tls' on [{self.host}]:{self.direct_tls_port}"]
        if self.component_secret:
            activated.append(f"Activated service 'component' on [{self.host}]:{self.component_port}")
        deadline = time.monotonic() + START_TIMEOUT
        last_problem = "its ports never opened"
        while time.monotonic() < deadline:
            status = self._process.poll()
            log = _read_from(Path(self.log), log_offset)
            if "Failed to open server port" in log:
                raise _PortsTaken(f"port {self.c2s_port} or {self.direct_tls_port} is in use by another "
                                  f"program\n{self.log_tail()}")
            if status is not None:
                raise SandboxError(f"prosody exited with status {status} while starting\n{self.log_tail()}")
            if "Error binding encrypted port" in log:
                raise SandboxError(f"prosody could not set up TLS on its direct TLS port\n{self.log_tail()}")
            if all(line in log for line in activated):
                problem = self._probe()
                if problem is None:
                    return
                last_problem = problem
            time.sleep(0.05)
        raise SandboxError(f"prosody was not ready within {START_TIMEOUT:.0f} s: {last_problem}\n"
                           f"{self.log_tail()}")

    def _probe(self) -> str | None:
        """None when the c2s port accepts TCP and the direct TLS port completes a handshake
        that verifies against our CA; else what went wrong."""
        try:
            socket.create_connection((self.host, self.c2s_port), timeout=2).close()
            context = ssl.create_default_context(cafile=self.ca_file)
            with socket.create_connection((self.host, self.direct_tls_port), timeout=2) as raw:
                with context.wrap_socket(raw, server_hostname=self.domain):
                    pass
        except (OSError, ssl.SSLError) as error:
            return f"probing its ports failed: {error}"
        return None

    def _terminate(self, first_signal: int) -> None:
        """Ends every server running on this sandbox's config, and forgets the pid."""
        targets = _servers_using(self.config)
        child = self._process
        if child is not None and child.poll() is None and child.pid not in {target.pid for target in targets}:
            # Our child, so far that it has not exec'd prosody yet. (A pid merely read from
            # sandbox.json is never signalled: it may belong to someone else by now.)
            targets.append(_Server(child.pid, child.pid, self.config))
        _end_servers(targets, first_signal, self._reap_child)
        self._reap_child()
        self.pid = None
        self._process = None
        # Prosody removes its pidfile on a clean shutdown, not when killed.
        (self.path / PID_FILE).unlink(missing_ok=True)

    def _reap_child(self) -> None:
        if self._process is not None:
            self._process.poll()


def make_certificates(certs: Path, domain: str) -> None:
    """In `certs`: a throwaway CA (ca.crt, ca.key) and a server certificate for the domain
    (DOMAIN.crt, DOMAIN.key) that it signed, valid from an hour ago for two days (the
    back-dating tolerates a little clock skew). The ejabberd sandbox uses it too."""
    (certs / "ca-db").mkdir(parents=True, exist_ok=True)  # `openssl ca` bookkeeping
    (certs / "ca-db" / "index.txt").write_text("")
    (certs / "openssl.cnf").write_text(_OPENSSL_CONFIG.format(domain=domain))
    now = datetime.now(timezone.utc)
    validity = ["-startdate", _asn1_time(now - timedelta(hours=1)),
                "-enddate", _asn1_time(now + timedelta(days=2))]
    # Paths relative to certs/, which is the working directory: openssl's config syntax
    # would mangle quotes or backslashes in an absolute path.
    config = ["-config", "openssl.cnf"]
    signing = ["openssl", "ca", "-batch", "-notext", "-rand_serial", *config, *validity]
    new_key = ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out"]
    server = domain
    for step in (
        [*new_key, "ca.key"],
        ["openssl", "req", "-new", *config, "-key", "ca.key", "-subj", "/CN=adhocd test CA",
         "-out", "ca-db/ca.csr"],
        [*signing, "-selfsign", "-keyfile", "ca.key", "-extensions", "ca_ext",
         "-in", "ca-db/ca.csr", "-out", "ca.crt"],
        [*new_key, f"{server}.key"],
        ["openssl", "req", "-new", *config, "-key", f"{server}.key", "-subj", f"/CN={server}",
         "-out", f"ca-db/{server}.csr"],
        [*signing, "-cert", "ca.crt", "-keyfile", "ca.key", "-extensions", "server_ext",
         "-in", f"ca-db/{server}.csr", "-out", f"{server}.crt"],
    ):
        result = subprocess.run(step, cwd=certs, capture_output=True, text=True,
                                stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise SandboxError(f"certificate generation failed: {' '.join(step)}\n"
                               f"{result.stderr.strip()}")
    for key in ("ca.key", f"{server}.key"):
        (certs / key).chmod(0o640)  # the group is prosody's once handed over


def _check_account(name: str, password: str) -> None:
    """Catches what would go wrong later, less clearly; prosodyctl checks the rest (nodeprep)."""
    if not name or any(character in name for character in "@/: \t\r\n"):
        raise SandboxError(f"invalid account name {name!r}")
    if not password or "\0" in password:
        raise SandboxError(f"invalid password for {name!r}: must be non-empty")


def _require_programs() -> None:
    missing = [name for name in ("prosody", "prosodyctl", "openssl") if not shutil.which(name)]
    if missing:
        raise SandboxError(f"not installed: {', '.join(missing)} (apt-get install prosody openssl)")


def _server_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise SandboxError(f"running as root, but there is no '{SERVER_USER}' user to run Prosody as "
                           "(Prosody refuses to run as root); install the prosody package or run as "
                           "an ordinary user") from None


def _make_traversable(path: Path, account: pwd.struct_passwd) -> None:
    """Lets the prosody user reach `path`: a mkdtemp() directory on the way is mode 0700."""
    for ancestor in reversed(path.parents):
        info = ancestor.stat()
        mode = info.st_mode
        if (mode & stat.S_IXOTH or (info.st_uid == account.pw_uid and mode & stat.S_IXUSR)
                or (info.st_gid == account.pw_gid and mode & stat.S_IXGRP)):
            continue
        ancestor.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
        _note(f"made {ancestor} traversable (o+x) so the {SERVER_USER} user can reach {path}")


def _free_ports(count: int) -> list[int]:
    """Ports the kernel says are free now; Prosody may still lose a race for them."""
    probes = []
    try:
        for _ in range(count):  # held open together, so the ports differ
            probe = socket.socket()
            probe.bind((HOST, 0))
            probes.append(probe)
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _signals_blocked() -> bool:
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])  # adds nothing: just reads the mask
    return bool(blocked & {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})


def _unblock_signals() -> None:
    """In the child before exec: a caller that blocks SIGTERM (some test runners do) would pass
    that on, and stop() could then only end the server with SIGKILL after a 5 s wait."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def _asn1_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%SZ")


def _lua(value) -> str:
    """A Lua literal for a config value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = "".join(
            f"\\{character}" if character in '"\\' else
            character if " " <= character <= "~" or ord(character) > 127 else f"\\{ord(character):03d}"
            for character in value)
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "{ " + ", ".join(_lua(item) for item in value) + " }" if value else "{}"
    if isinstance(value, dict):
        return "{ " + "; ".join(f"{key} = {_lua(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"no Lua literal for {value!r}")


_OPENSSL_CONFIG = """\
# For `openssl req` and `openssl ca`, written by prosody_sandbox.py.
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ ca ]
default_ca = sandbox_ca
[ sandbox_ca ]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial  # required, though -rand_serial ignores it
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied

[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:{domain}, DNS:*.{domain}, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


# ---- finding and ending servers -------------------------------------------------------------


class _Server:
    """A running prosody process, as seen in /proc."""

    def __init__(self, pid: int, pgid: int, config: str):
        self.pid, self.pgid, self.config = pid, pgid, config


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, process group) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[2])


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (dead, waiting for its parent)."""
    status = _proc_stat(pid)
    return status is not None and status[0] not in "ZXx"


def _config_of(pid: int) -> str | None:
    """The --config path of a prosody process (not prosodyctl), else None."""
    try:
        argv = [os.fsdecode(arg) for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
    except OSError:
        return None
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            config = argv[index + 1]
        elif arg.startswith("--config="):
            config = arg.partition("=")[2]
        else:
            continue
        # The interpreter runs the `prosody` script (`lua5.4 /usr/bin/prosody -F --config X`).
        if not any(os.path.basename(earlier) == "prosody" for earlier in argv[:index]):
            return None
        if not os.path.isabs(config):
            try:
                config = os.path.join(os.readlink(f"/proc/{pid}/cwd"), config)
            except OSError:
                return None
        return os.path.normpath(config)
    return None


def _running_servers() -> list[_Server]:
    servers = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        config = _config_of(pid)
        status = _proc_stat(pid)
        if config and status and status[0] not in "ZXx":
            servers.append(_Server(pid, status[1], config))
    return servers


def _servers_using(config: str) -> list[_Server]:
    config = os.path.normpath(config)
    return [server for server in _running_servers() if server.config == config]


def _end_servers(servers: list[_Server], first_signal: int, tick=lambda: None) -> None:
    """Signals each server's process group (or the lone process, if it does not lead its group),
    waits up to STOP_TIMEOUT for them to go, then SIGKILLs what is left."""
    if not servers:
        return
    for server in servers:
        try:
            os.kill(server.pid, 0)
        except PermissionError:
            raise SandboxError(f"not allowed to signal prosody {server.pid} ({server.config}): it runs as "
                               "another user; do this as root or as that user") from None
        except ProcessLookupError:
            pass
    pids = {server.pid for server in servers}
    # A server we started leads its own group; with runuser or similar in front, the group's
    # leader runs our config too. Otherwise signal only the process, not a stranger's group.
    groups = {server.pgid for server in servers
              if server.pgid == server.pid or _config_of(server.pgid) == server.config}
    lone = {server.pid for server in servers if server.pgid not in groups}

    def send(signum: int) -> None:
        for group in groups:
            try:
                os.killpg(group, signum)
            except (ProcessLookupError, PermissionError):
                pass
        for pid in lone:
            try:
                os.kill(pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

    def remaining() -> bool:
        tick()
        if any(_alive(pid) for pid in pids):
            return True
        if groups:
            for entry in os.scandir("/proc"):
                if entry.name.isdigit():
                    status = _proc_stat(int(entry.name))
                    if status and status[1] in groups and status[0] not in "ZXx":
                        return True
        return False

    send(first_signal)
    send(signal.SIGCONT)  # a server frozen with SIGSTOP (a "hung host" test) must see the SIGTERM
    deadline = time.monotonic() + STOP_TIMEOUT
    while remaining():
        if time.monotonic() >= deadline:
            if first_signal == signal.SIGKILL:
                raise SandboxError(f"prosody (pids {sorted(pids)}) survived SIGKILL for {STOP_TIMEOUT:.0f} s")
            _note(f"prosody (pids {sorted(pids)}) ignored SIGTERM for {STOP_TIMEOUT:.0f} s; sending SIGKILL")
            send(signal.SIGKILL)
            first_signal = signal.SIGKILL
            deadline = time.monotonic() + STOP_TIMEOUT
        time.sleep(0.02)


def reap(root="/tmp") -> list[str]:
    """Ends every prosody whose --config lies in a sandbox directory (one with the marker file)
    under `root`; returns those directories. For cleaning up after crashed test runs."""
    root_path = Path(root).resolve()
    stray = []
    for server in _running_servers():
        directory = Path(server.config).parent
        if not (directory.is_relative_to(root_path) and (directory / MARKER).is_file()):
            continue
        try:
            os.kill(server.pid, 0)
        except PermissionError:
            _note(f"skipping prosody {server.pid} in {directory}: it runs as another user")
            continue
        except ProcessLookupError:
            continue
        stray.append(server)
    _end_servers(stray, signal.SIGTERM)
    directories = sorted({str(Path(server.config).parent) for server in stray})
    for directory in directories:
        try:
            sandbox = Sandbox.load(directory)
        except SandboxError:
            continue
        sandbox.pid = None
        sandbox._write_state()
    return directories


# ---- command line ---------------------------------------------------------------------------


def _account_argument(text: str) -> tuple[str, str]:
    name, separator, password = text.partition(":")
    if not separator:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME:PASSWORD")
    try:
        _check_account(name, password)
    except SandboxError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return name, password


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prosody_sandbox.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    start = commands.add_parser("start", help="create a sandbox and start its server; prints JSON")
    start.add_argument("--dir", required=True)
    start.add_argument("--domain", default="localhost")
    start.add_argument("--account", action="append", type=_account_argument, default=[],
                       metavar="NAME:PASSWORD", help="repeatable")
    start.add_argument("--disable-mechanism", action="append", default=[], metavar="MECH",
                       help="SASL mechanism not to offer; repeatable (default: DIGEST-MD5)")
    start.add_argument("--allow-plaintext", action="store_true",
                       help="do not require TLS on the c2s port (and allow PLAIN without it)")
    start.add_argument("--conflict-resolve", choices=CONFLICT_POLICIES, default="kick_old",
                       help="when a resource is bound twice (Prosody's conflict_resolve; default kick_old)")
    start.add_argument("--log-level", choices=("info", "debug"), default="info")
    start.add_argument("--muc", action="store_true",
                       help="add a multi-user chat service (mod_muc) at conference.DOMAIN")

    for name, text in (("stop", "stop the server, keep its files"),
                       ("restart", "start again with the same config, ports, data and accounts; prints JSON"),
                       ("kill", "SIGKILL the server, as in a crash")):
        commands.add_parser(name, help=text).add_argument("--dir", required=True)

    register = commands.add_parser("register", help="add an account (running or stopped sandbox)")
    register.add_argument("--dir", required=True)
    register.add_argument("account", type=_account_argument, metavar="NAME:PASSWORD")

    reaper = commands.add_parser("reap", help="end every sandbox server under a directory")
    reaper.add_argument("--root", default="/tmp")
    return parser


def _stop(directory: str, kill: bool) -> None:
    """stop/kill, also for a sandbox whose start failed before it wrote sandbox.json."""
    try:
        sandbox = Sandbox.load(directory)
    except SandboxError:
        if not (Path(directory) / MARKER).is_file():
            raise
        config = str(Path(directory).resolve() / CONFIG_FILE)
        _end_servers(_servers_using(config), signal.SIGKILL if kill else signal.SIGTERM)
        return
    if kill:
        sandbox.kill()
    else:
        sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)

    def interrupted(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through start's cleanup: no server left behind
    signal.signal(signal.SIGTERM, interrupted)

    try:
        if arguments.command == "start":
            sandbox = Sandbox.start(arguments.dir, arguments.domain, dict(arguments.account),
                                    arguments.disable_mechanism, arguments.allow_plaintext,
                                    arguments.log_level, arguments.conflict_resolve, muc=arguments.muc)
            print(json.dumps(sandbox.describe()), flush=True)
            _note(f"prosody {sandbox.pid} serving {sandbox.domain} on {sandbox.host}:{sandbox.c2s_port} "
                  f"(direct TLS {sandbox.direct_tls_port})")
        elif arguments.command in ("stop", "kill"):
            _stop(arguments.dir, kill=arguments.command == "kill")
        elif arguments.command == "restart":
            sandbox = Sandbox.load(arguments.dir).restart()
            print(json.dumps(sandbox.describe()), flush=True)
        elif arguments.command == "register":
            Sandbox.load(arguments.dir).register(*arguments.account)
        elif arguments.command == "reap":
            directories = reap(arguments.root)
            _note(f"stopped {len(directories)} sandbox server(s)" +
                  "".join(f"\n  {directory}" for directory in directories))
    except SandboxError as error:
        _note(f"{arguments.command} failed: {error}")
        return 1
    except KeyboardInterrupt:
        _note(f"{arguments.command} interrupted")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
