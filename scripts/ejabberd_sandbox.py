#!/usr/bin/env python3
"""A throwaway ejabberd (Debian's package) on loopback, for adhocd's interop tests.

    ejabberd_sandbox.py start --dir DIR [--account NAME:PASSWORD ...]
        # prints JSON like prosody_sandbox.py, serves until SIGTERM or Ctrl-C
    ejabberd_sandbox.py reap [--root /tmp]    # end every ejabberd sandbox server under root

As a module: `with EjabberdSandbox.start(dir, accounts={...}) as server: server.c2s_port, ...`
with the same attributes as prosody_sandbox.Sandbox (dir, domain, host, c2s_port,
direct_tls_port, ca_file, log), so the test harness takes either.

The server gets its own Erlang node name and distribution port (no epmd daemon is left behind),
XEP-0198 (mod_stream_mgmt) with resumption, and a certificate from the same throwaway CA as the
Prosody sandbox. ejabberdctl runs the server as the `ejabberd` user when started as root, so the
directory is handed to that user.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from prosody_sandbox import HOST, SandboxError, _alive, _free_ports, _read_from, _size, make_certificates

MARKER = ".adhocd-ejabberd-sandbox"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
SERVER_USER = "ejabberd"

_CONFIG = """\
# Written by adhocd's scripts/ejabberd_sandbox.py: a throwaway server on loopback.
loglevel: info
hosts:
  - {domain}
certfiles:
  - "{dir}/certs/server.pem"
listen:
  -
    port: {c2s_port}
    ip: "{host}"
    module: ejabberd_c2s
    max_stanza_size: 262144
    starttls_required: true
  -
    port: {direct_tls_port}
    ip: "{host}"
    module: ejabberd_c2s
    max_stanza_size: 262144
    tls: true
auth_method: internal
auth_password_format: scram
disable_sasl_mechanisms:
  - "digest-md5"
  - "X-OAUTH2"
acl:
  local:
    user_regexp: ""
access_rules:
  c2s:
    allow: all
api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"
modules:
  mod_disco: {{}}
  mod_ping: {{}}
  mod_roster: {{}}
  mod_version: {{}}
  mod_stream_mgmt:
    resume_timeout: 300
"""


class EjabberdSandbox:
    def __init__(self, dir, domain: str = "localhost", c2s_port: int = 0, direct_tls_port: int = 0,
                 dist_port: int = 0, accounts: dict[str, str] | None = None):
        self.dir = str(Path(dir).resolve())
        self.domain = domain
        self.host = HOST
        self.c2s_port = c2s_port
        self.direct_tls_port = direct_tls_port
        self.dist_port = dist_port
        self.accounts = dict(accounts or {})
        self._process: subprocess.Popen | None = None

    @property
    def path(self) -> Path:
        return Path(self.dir)

    @property
    def ca_file(self) -> str:
        return str(self.path / "certs" / "ca.crt")

    @property
    def log(self) -> str:
        return str(self.path / "logs" / "ejabberd.log")

    @property
    def node(self) -> str:
        return f"adhocd-sandbox-{self.c2s_port}@localhost"

    def jid(self, name: str) -> str:
        return f"{name}@{self.domain}"

    # -- life cycle

    @classmethod
    def start(cls, dir, domain: str = "localhost", accounts: dict[str, str] | None = None) -> EjabberdSandbox:
        if not shutil.which("ejabberdctl"):
            raise SandboxError("not installed: ejabberd (apt-get install ejabberd)")
        sandbox = cls(dir, domain)
        path = sandbox.path
        path.mkdir(parents=True, exist_ok=True)
        (path / MARKER).write_text("A throwaway ejabberd made by adhocd's scripts/ejabberd_sandbox.py.\n")
        for sub in ("spool", "logs", "certs"):
            (path / sub).mkdir(exist_ok=True)
        make_certificates(path / "certs", domain)
        certs = path / "certs"
        (certs / "server.pem").write_text((certs / f"{domain}.crt").read_text() + (certs / f"{domain}.key").read_text())
        sandbox.c2s_port, sandbox.direct_tls_port, sandbox.dist_port = _free_ports(3)
        (path / "ejabberd.yml").write_text(_CONFIG.format(
            domain=domain, dir=sandbox.dir, host=HOST, c2s_port=sandbox.c2s_port, direct_tls_port=sandbox.direct_tls_port))
        (path / "ejabberdctl.cfg").write_text(
            f"ERLANG_NODE={sandbox.node}\nERL_DIST_PORT={sandbox.dist_port}\nINET_DIST_INTERFACE=127.0.0.1\n"
            f"EJABBERD_PID_PATH={sandbox.dir}/ejabberd.pid\nEJABBERD_BYPASS_WARNINGS=true\n")
        shutil.copy("/etc/ejabberd/inetrc", path / "inetrc")
        sandbox._hand_over()
        try:
            sandbox._launch()
            for name, password in (accounts or {}).items():
                sandbox.register(name, password)
        except BaseException:
            sandbox.stop()
            raise
        sandbox._write_state()
        return sandbox

    def stop(self) -> None:
        """Stops the server (SIGTERM to its process group, SIGKILL after 10 s). Idempotent."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        self._end(signal.SIGKILL)

    def restart(self) -> EjabberdSandbox:
        self.stop()
        self._launch()
        return self

    def register(self, name: str, password: str) -> None:
        result = subprocess.run([*self._ctl(), "register", name, self.domain, password],
                                capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        if result.returncode != 0 or "successfully registered" not in result.stdout:
            raise SandboxError(f"ejabberdctl register {name} failed: {result.stdout}{result.stderr}")
        self.accounts[name] = password
        self._write_state()

    def describe(self) -> dict:
        return {"dir": self.dir, "domain": self.domain, "host": self.host, "c2s_port": self.c2s_port,
                "direct_tls_port": self.direct_tls_port, "ca_file": self.ca_file, "log": self.log,
                "accounts": dict(self.accounts)}

    def log_tail(self, lines: int = 40) -> str:
        texts = []
        for log in (self.path / "console.log", Path(self.log)):
            try:
                texts.append(f"--- {log} ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:]))
            except OSError:
                pass
        return "\n".join(texts) or "(ejabberd wrote nothing)"

    def __enter__(self) -> EjabberdSandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- inside

    def _ctl(self) -> list[str]:
        return ["ejabberdctl", "--config-dir", self.dir, "--ctl-config", f"{self.dir}/ejabberdctl.cfg",
                "--config", f"{self.dir}/ejabberd.yml", "--spool", f"{self.dir}/spool", "--logs", f"{self.dir}/logs"]

    def _hand_over(self) -> None:
        if os.geteuid() != 0:
            return
        account = pwd.getpwnam(SERVER_USER)
        for root, directories, files in os.walk(self.dir):
            os.chown(root, account.pw_uid, account.pw_gid)
            for name in directories + files:
                os.chown(os.path.join(root, name), account.pw_uid, account.pw_gid, follow_symlinks=False)

    def _launch(self) -> None:
        offset = _size(Path(self.log))
        console = open(self.path / "console.log", "ab")
        try:
            self._process = subprocess.Popen([*self._ctl(), "foreground"], cwd=self.dir, stdin=subprocess.DEVNULL,
                                             stdout=console, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            console.close()
        ready = f"Start accepting TCP connections at {HOST}:{self.c2s_port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SandboxError(f"ejabberd exited with {self._process.returncode} while starting\n{self.log_tail()}")
            if ready in _read_from(Path(self.log), offset):
                return
            time.sleep(0.1)
        raise SandboxError(f"ejabberd was not ready within {START_TIMEOUT:.0f} s\n{self.log_tail()}")

    def _end(self, first_signal: int) -> None:
        """ejabberdctl's `su` starts the Erlang VM in a session of its own: the VM is found by
        its spool directory, ended, then the `su` that waited for it."""
        _end_processes(_vms_with_spool(str(self.path / "spool")), first_signal)
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def _write_state(self) -> None:
        (self.path / "sandbox.json").write_text(json.dumps(self.describe(), indent=2) + "\n")


def _spool_of(pid: int) -> str | None:
    """The mnesia directory of an Erlang VM (`-mnesia dir "PATH"`), else None."""
    try:
        args = [os.fsdecode(arg) for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
    except OSError:
        return None
    for index in range(len(args) - 2):
        if args[index] == "-mnesia" and args[index + 1] == "dir":
            return os.path.normpath(args[index + 2].strip('"'))
    return None


def _vms_with_spool(spool: str) -> list[int]:
    spool = os.path.normpath(spool)
    return [int(entry.name) for entry in os.scandir("/proc") if entry.name.isdigit() and _spool_of(int(entry.name)) == spool]


def _end_processes(pids: list[int], first_signal: int) -> None:
    for signum in (first_signal, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not any(_alive(pid) for pid in pids):
            return


def reap(root: str) -> list[str]:
    """Ends every sandbox's Erlang VM whose spool lies under `root` (leftovers of failed runs)."""
    root = os.path.realpath(root)
    spools = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            spool = _spool_of(int(entry.name))
            if spool and spool.startswith(root + "/") and (Path(spool).parent / MARKER).exists():
                spools.setdefault(spool, []).append(int(entry.name))
    for pids in spools.values():
        _end_processes(pids, signal.SIGTERM)
    return sorted(spools)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start")
    start.add_argument("--dir", required=True)
    start.add_argument("--account", action="append", default=[], metavar="NAME:PASSWORD")
    commands.add_parser("reap").add_argument("--root", default="/tmp")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "start":
            accounts = dict(account.split(":", 1) for account in arguments.account)
            sandbox = EjabberdSandbox.start(arguments.dir, accounts=accounts)
            # The server runs attached to this process: stay until told to stop.
            print(json.dumps(sandbox.describe()), flush=True)
            signal.sigwait({signal.SIGTERM, signal.SIGINT})
            sandbox.stop()
        elif arguments.command == "reap":
            for spool in reap(arguments.root):
                print(f"ejabberd_sandbox: stopped the server of {spool}", file=sys.stderr)
    except SandboxError as error:
        print(f"ejabberd_sandbox: {arguments.command} failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
