#!/usr/bin/env python3
"""A throwaway Prosody on loopback, for tests, the demo and the benchmark.

    prosody_sandbox.py start --dir DIR [--domain localhost] [--account NAME:PASSWORD ...]
                             [--disable-mechanism MECH ...] [--allow-plaintext] [--log-level info|debug]
    prosody_sandbox.py stop --dir DIR          # stop the server, keep its files
    prosody_sandbox.py restart --dir DIR       # start again: same ports, data and accounts
    prosody_sandbox.py kill --dir DIR          # SIGKILL, as in a crash
    prosody_sandbox.py register --dir DIR NAME:PASSWORD
    prosody_sandbox.py reap [--root /tmp]      # stop every sandbox server found under root

`start` and `restart` print one line of JSON (ports, CA file, pid, ...) once the server
accepts connections. Everything else goes to stderr. Importable: `Sandbox.start(...)`.

Prosody refuses to run as root, and prosodyctl switches to the prosody user: as root the
sandbox directory is handed to that user and the server is started as it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

MARKER = ".adhocd-sandbox"
STATE = "sandbox.json"


class SandboxError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"prosody_sandbox: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def running_as_root() -> bool:
    return os.geteuid() == 0


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


@dataclass
class Sandbox:
    dir: str
    domain: str = "localhost"
    host: str = "127.0.0.1"
    c2s_port: int = 0
    direct_tls_port: int = 0
    ca_file: str = ""
    pid: int = 0
    log: str = ""
    config: str = ""
    accounts: dict[str, str] = field(default_factory=dict)
    disable_mechanisms: list[str] = field(default_factory=list)
    allow_plaintext: bool = False
    log_level: str = "info"

    # ---- creation -------------------------------------------------------------------------

    @classmethod
    def start(cls, dir, domain="localhost", accounts=None, disable_mechanisms=(), allow_plaintext=False,
              log_level="info") -> "Sandbox":
        root = Path(dir).resolve()
        if root.exists() and any(root.iterdir()) and not (root / MARKER).exists():
            raise SandboxError(f"{root} exists and is not a sandbox directory")
        if (root / STATE).exists():
            raise SandboxError(f"{root} already holds a sandbox; use restart")
        root.mkdir(parents=True, exist_ok=True)
        (root / MARKER).touch()
        sandbox = cls(
            dir=str(root), domain=domain, accounts=dict(accounts or {}),
            disable_mechanisms=list(disable_mechanisms) or ["DIGEST-MD5"],
            allow_plaintext=allow_plaintext, log_level=log_level,
            ca_file=str(root / "certs" / "ca.crt"), log=str(root / "prosody.log"),
            config=str(root / "prosody.cfg.lua"),
        )
        try:
            sandbox._make_certificates()
            for attempt in range(3):
                sandbox.c2s_port, sandbox.direct_tls_port = free_port(), free_port()
                sandbox._write_config()
                sandbox._hand_over()
                if attempt == 0:
                    for name, password in sandbox.accounts.items():
                        sandbox._register(name, password)
                if sandbox._launch():
                    break
                log("ports taken, trying others")
            else:
                raise SandboxError("could not start prosody on free ports\n" + sandbox.log_tail())
        except BaseException:
            sandbox.stop()
            raise
        sandbox._save()
        return sandbox

    @classmethod
    def load(cls, dir) -> "Sandbox":
        path = Path(dir).resolve() / STATE
        if not path.exists():
            raise SandboxError(f"no sandbox in {dir}")
        return cls(**json.loads(path.read_text()))

    def _save(self) -> None:
        Path(self.dir, STATE).write_text(json.dumps(asdict(self)))

    def describe(self) -> dict:
        return {key: getattr(self, key) for key in
                ("dir", "domain", "host", "c2s_port", "direct_tls_port", "ca_file", "pid", "log", "config", "accounts")}

    def jid(self, name: str) -> str:
        return f"{name}@{self.domain}"

    # ---- files ----------------------------------------------------------------------------

    def _make_certificates(self) -> None:
        certs = Path(self.dir, "certs")
        certs.mkdir(exist_ok=True)
        ca_key, ca_crt = certs / "ca.key", certs / "ca.crt"
        key, csr, crt = certs / f"{self.domain}.key", certs / f"{self.domain}.csr", certs / f"{self.domain}.crt"
        extensions = certs / "server.ext"
        extensions.write_text(
            "basicConstraints=CA:FALSE\n"
            "keyUsage=digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            f"subjectAltName=DNS:{self.domain},DNS:*.{self.domain},IP:127.0.0.1\n")
        steps = [
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", str(ca_key), "-out", str(ca_crt), "-days", "2", "-subj", "/CN=adhocd test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={self.domain}"],
            ["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
             "-CAcreateserial", "-out", str(crt), "-days", "2", "-extfile", str(extensions)],
        ]
        for step in steps:
            result = run(step)
            if result.returncode != 0:
                raise SandboxError(f"{' '.join(step[:3])} failed: {result.stderr}")
        for path in certs.iterdir():
            path.chmod(0o644 if path.suffix in (".crt", ".ext", ".srl") else 0o640)

    def _write_config(self) -> None:
        root = Path(self.dir)
        (root / "data").mkdir(exist_ok=True)
        mechanisms = ", ".join(json.dumps(name) for name in self.disable_mechanisms)
        Path(self.config).write_text(f"""-- Written by prosody_sandbox.py: a throwaway server on loopback.
pidfile = "{root}/prosody.pid"
data_path = "{root}/data"
plugin_paths = {{}}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {self.c2s_port} }}
c2s_direct_tls_ports = {{ {self.direct_tls_port} }}
s2s_ports = {{}}
http_ports = {{}}
https_ports = {{}}
component_ports = {{}}
admin_socket = "{root}/prosody.sock"
modules_enabled = {{ "roster", "saslauth", "tls", "disco", "ping", "posix" }}
modules_disabled = {{ "s2s", "http", "offline", "c2s_limits", "limits" }}
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = {"false" if self.allow_plaintext else "true"}
allow_unencrypted_plain_auth = false
disable_sasl_mechanisms = {{ {mechanisms} }}
log = {{ {self.log_level} = "{self.log}" }}
certificates = "{root}/certs"

VirtualHost "{self.domain}"
    ssl = {{ certificate = "{root}/certs/{self.domain}.crt", key = "{root}/certs/{self.domain}.key" }}
""")

    def _hand_over(self) -> None:
        """As root, give the directory to the prosody user, which prosody(ctl) runs as."""
        if not running_as_root():
            return
        Path(self.dir).chmod(0o755)
        result = run(["chown", "-R", "prosody:prosody", self.dir])
        if result.returncode != 0:
            raise SandboxError(f"chown failed: {result.stderr}")

    @staticmethod
    def _server_user() -> dict:
        """Popen arguments that drop root for the prosody user (no runuser in between, so the
        pid we hold is prosody's own and signals reach it directly)."""
        return {"user": "prosody", "group": "prosody", "extra_groups": []} if running_as_root() else {}

    def _register(self, name: str, password: str) -> None:
        result = run(["prosodyctl", "--config", self.config, "register", name, self.domain, password])
        if result.returncode != 0:
            raise SandboxError(f"prosodyctl register {name} failed: {result.stdout}{result.stderr}")

    def register(self, name: str, password: str) -> None:
        self._register(name, password)
        self.accounts[name] = password
        self._save()

    # ---- process --------------------------------------------------------------------------

    def _launch(self) -> bool:
        """Starts prosody and waits for its port; False when the port was taken meanwhile."""
        offset = Path(self.log).stat().st_size if Path(self.log).exists() else 0
        process = subprocess.Popen(
            ["prosody", "-F", "--config", self.config],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=default_signal_handling, **self._server_user(),
        )
        self.pid = process.pid
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = self.log_tail(offset=offset)
                if "Address already in use" in tail or "Failed to open server port" in tail:
                    return False
                raise SandboxError(f"prosody exited with {process.returncode}\n{tail}")
            if self._accepts_connections():
                return True
            time.sleep(0.05)
        self.stop()
        raise SandboxError("prosody did not open its port within 15 s\n" + self.log_tail(offset=offset))

    def _accepts_connections(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex((self.host, self.c2s_port)) == 0 and \
                self._port_open(self.direct_tls_port)

    def _port_open(self, port: int) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex((self.host, port)) == 0

    def _signal(self, signum: int) -> bool:
        if not self.pid:
            return False
        try:
            os.killpg(self.pid, signum)
            return True
        except ProcessLookupError:
            return False

    def _alive(self) -> bool:
        """Whether the server's process (group leader) still runs; a zombie counts as gone."""
        if not self.pid:
            return False
        try:
            finished, _ = os.waitpid(self.pid, os.WNOHANG)  # reap it if it is our child
            if finished:
                return False
        except ChildProcessError:
            pass
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state != "Z"

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL after 5 s. Idempotent."""
        if self._signal(signal.SIGTERM):
            deadline = time.monotonic() + 5
            while self._alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            if self._alive():
                self._signal(signal.SIGKILL)
        self.pid = 0
        if Path(self.dir, STATE).exists():
            self._save()

    def kill(self) -> None:
        """SIGKILL: the server vanishes without closing its streams, like a crash."""
        self._signal(signal.SIGKILL)
        deadline = time.monotonic() + 5
        while self._alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.pid = 0
        self._save()

    def restart(self) -> None:
        self.stop()
        self._hand_over()
        if not self._launch():
            raise SandboxError(f"port {self.c2s_port} or {self.direct_tls_port} is taken; cannot restart in place")
        self._save()

    def log_tail(self, lines: int = 40, offset: int = 0) -> str:
        try:
            with open(self.log, errors="replace") as handle:
                handle.seek(offset)
                return "\n".join(handle.read().splitlines()[-lines:])
        except OSError:
            return "(no prosody log)"

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def default_signal_handling() -> None:
    """In the child before exec: undo a blocked or ignored SIGTERM inherited from the caller
    (a test runner may block it), or stop() would have to wait for SIGKILL."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def reap(root: str) -> int:
    """Stops every sandbox server under `root` (directories with the marker file)."""
    count = 0
    for marker in Path(root).glob(f"*/{MARKER}"):
        count += reap_one(marker.parent)
    for marker in Path(root).glob(f"*/*/{MARKER}"):
        count += reap_one(marker.parent)
    return count


def reap_one(directory: Path) -> int:
    try:
        sandbox = Sandbox.load(directory)
    except (SandboxError, ValueError, TypeError):
        return 0
    if sandbox._alive():
        sandbox.stop()
        return 1
    return 0


def parse_account(text: str) -> tuple[str, str]:
    name, separator, password = text.partition(":")
    if not separator or not name or not password:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME:PASSWORD")
    return name, password


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start")
    start.add_argument("--dir", required=True)
    start.add_argument("--domain", default="localhost")
    start.add_argument("--account", action="append", type=parse_account, default=[])
    start.add_argument("--disable-mechanism", action="append", default=[])
    start.add_argument("--allow-plaintext", action="store_true")
    start.add_argument("--log-level", choices=["info", "debug"], default="info")
    for name in ("stop", "restart", "kill"):
        commands.add_parser(name).add_argument("--dir", required=True)
    register = commands.add_parser("register")
    register.add_argument("--dir", required=True)
    register.add_argument("account", type=parse_account)
    reaper = commands.add_parser("reap")
    reaper.add_argument("--root", default="/tmp")
    arguments = parser.parse_args()

    try:
        if arguments.command == "start":
            if not shutil.which("prosody"):
                raise SandboxError("prosody is not installed (apt-get install prosody)")
            sandbox = Sandbox.start(arguments.dir, arguments.domain, dict(arguments.account),
                                    arguments.disable_mechanism, arguments.allow_plaintext, arguments.log_level)
            print(json.dumps(sandbox.describe()), flush=True)
        elif arguments.command == "reap":
            log(f"stopped {reap(arguments.root)} stray server(s)")
        else:
            sandbox = Sandbox.load(arguments.dir)
            if arguments.command == "stop":
                sandbox.stop()
            elif arguments.command == "kill":
                sandbox.kill()
            elif arguments.command == "restart":
                sandbox.restart()
                print(json.dumps(sandbox.describe()), flush=True)
            elif arguments.command == "register":
                sandbox.register(*arguments.account)
    except SandboxError as error:
        log(str(error))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
