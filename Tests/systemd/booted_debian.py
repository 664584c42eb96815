"""A Debian system booted under a real systemd in a container, for the tests that need one.

The root file system is built once per recipe (debootstrap, then a second layer of packages
installed with apt inside it) and cached outside git, under $ADHOCD_ROOTFS_CACHE (default
/var/cache/adhocd-test-rootfs/<hash of the recipe>/rootfs); a changed recipe builds a new one.
Two runs that need it at once take turns on a lock: one builds, the other waits and reuses.

Each boot runs on a throwaway overlay (`systemd-nspawn --volatile=overlay`), so the cache stays
clean and several containers can boot from it at once. The container shares the host's network
(a sandbox Prosody on loopback is reachable), not its processes or its systemd.

    with BootedSystem.boot(RootFileSystem.ensure(), log_dir) as machine:
        machine.run("systemctl", "is-system-running")

Leaving the block powers the container off, also on an exception or Ctrl-C; SIGTERM acts as
Ctrl-C while a container runs, and the container gets SIGTERM (an orderly shutdown)
if the Python process dies without a chance to clean up (`setpriv --pdeathsig`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CACHE_ROOT = Path(os.environ.get("ADHOCD_ROOTFS_CACHE", "/var/cache/adhocd-test-rootfs"))

# Everything that decides the root file system's content: changing any of it builds a new one.
RECIPE = {
    "suite": "bookworm",
    "mirror": "http://deb.debian.org/debian",
    "variant": "minbase",
    "include": ["systemd", "systemd-sysv", "dbus", "ca-certificates"],
    # Second layer, installed with apt inside the new system: polkitd fails to configure under
    # debootstrap. libxml2, libdbus-1-3 and adduser are what the .deb depends on, so installing
    # it needs no network; procps has uptime and ps, which a server has and the shipped
    # commands use; dbus-user-session, mpv and mpv-mpris are for the user unit's test.
    "packages": ["polkitd", "libxml2", "libdbus-1-3", "adduser", "procps", "dbus-user-session", "mpv", "mpv-mpris"],
    "revision": 1,
}

TOOLS = ("debootstrap", "systemd-nspawn", "nsenter", "setpriv")
# Inside the container: a clean environment, not the test runner's (its TMPDIR does not exist there).
GUEST_ENV = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "TERM=dumb")
LAST_USED = "last-used"  # touched by every run that uses the root file system
STALE_AFTER = 14 * 86400
BUILD_TIMEOUT = 1800
BOOT_TIMEOUT = 90
POWEROFF_TIMEOUT = 30


class Unavailable(RuntimeError):
    """This machine cannot build or boot the container; the message says what is missing."""


class GuestCommandError(RuntimeError):
    """A command inside the container failed; the message holds its output."""


def missing_capabilities() -> list[str]:
    """What keeps this machine from booting a container, as sentences; empty when nothing does."""
    missing = []
    if os.geteuid() != 0:
        missing.append("booting a container needs root (systemd-nspawn, debootstrap)")
    tools = [tool for tool in TOOLS if shutil.which(tool) is None]
    if tools:
        missing.append(f"{', '.join(tools)} not installed (scripts/install-deps installs them)")
    if not Path("/sys/fs/cgroup").is_dir():
        missing.append("no cgroup file system at /sys/fs/cgroup")
    return missing


def recipe_hash() -> str:
    return hashlib.sha256(json.dumps(RECIPE, sort_keys=True).encode()).hexdigest()[:16]


class RootFileSystem:
    """The cached root file system for RECIPE."""

    @staticmethod
    def ensure(cache_root: Path = CACHE_ROOT, log=print) -> Path:
        """The root file system's path, built first if the cache has none for this recipe."""
        key = recipe_hash()
        final = cache_root / key
        rootfs = final / "rootfs"
        if rootfs.is_dir():
            (final / LAST_USED).touch()
            return rootfs
        cache_root.mkdir(parents=True, exist_ok=True)
        with open(cache_root / f"{key}.lock", "w") as lock:
            # Another run may be building it: wait for that run, then use its result.
            fcntl.flock(lock, fcntl.LOCK_EX)
            if rootfs.is_dir():
                (final / LAST_USED).touch()
                return rootfs
            # Left by a build that was interrupted (we hold the lock: nobody else is building).
            for stale in cache_root.glob(f"{key}.building-*"):
                shutil.rmtree(stale, ignore_errors=True)
            building = cache_root / f"{key}.building-{os.getpid()}"
            try:
                started = time.monotonic()
                log(f"building the test root file system in {final} (once per recipe; a few minutes)")
                RootFileSystem._build(building / "rootfs")
                (building / "recipe.json").write_text(json.dumps(RECIPE, indent=2, sort_keys=True) + "\n")
                building.rename(final)
                (final / LAST_USED).touch()
                log(f"built {rootfs} in {time.monotonic() - started:.0f} s")
            finally:
                shutil.rmtree(building, ignore_errors=True)
        RootFileSystem._prune(cache_root, keep=key, log=log)
        return rootfs

    @staticmethod
    def _prune(cache_root: Path, keep: str, log) -> None:
        """Removes the root file systems of other recipes that no run used for STALE_AFTER
        (another branch's, long merged); each under its own lock, skipped while it is held."""
        for directory in cache_root.iterdir():
            if directory.name == keep or not directory.is_dir() or "." in directory.name:
                continue
            used = directory / LAST_USED
            if time.time() - (used if used.exists() else directory).stat().st_mtime < STALE_AFTER:
                continue
            with open(cache_root / f"{directory.name}.lock", "w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                log(f"removing {directory}, unused for {STALE_AFTER // 86400} days")
                shutil.rmtree(directory, ignore_errors=True)

    @staticmethod
    def _build(rootfs: Path) -> None:
        rootfs.parent.mkdir(parents=True)
        _checked([
            "debootstrap", f"--variant={RECIPE['variant']}", f"--include={','.join(RECIPE['include'])}",
            RECIPE["suite"], str(rootfs), RECIPE["mirror"],
        ], "debootstrap")
        # Not booted: apt runs as in a chroot, with nspawn's /proc, /sys and /dev.
        install = (
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "
            + " ".join(RECIPE["packages"]) + " && apt-get clean"
        )
        _checked(["systemd-nspawn", "-q", "--register=no", "--keep-unit", "-D", str(rootfs), "--pipe",
                  "/usr/bin/env", "-i", *GUEST_ENV, "/bin/sh", "-ec", install], "installing the second layer")


def _checked(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    if result.returncode != 0:
        raise Unavailable(f"{what} failed (exit {result.returncode}):\n{(result.stdout + result.stderr)[-3000:]}")


@dataclass
class BootedSystem:
    """One running container: `run` executes commands in it, `poweroff` ends it."""

    nspawn: subprocess.Popen
    leader: int
    console_log: Path

    @classmethod
    @contextlib.contextmanager
    def boot(cls, rootfs: Path, log_dir: Path, name: str = "adhocd-test"):
        """Boots `rootfs` and yields the running system once systemd reports it up; powers it
        off when the block ends, however it ends."""
        console_log = log_dir / "console.log"
        with open(console_log, "wb") as console, _sigterm_raises():
            # Own session: a Ctrl-C in the terminal reaches pytest, whose clean-up powers off.
            nspawn = subprocess.Popen(
                ["setpriv", "--pdeathsig", "TERM", "--", "systemd-nspawn", "-q", "--register=no", "--keep-unit",
                 f"--machine={name}", "-D", str(rootfs), "--volatile=overlay", "--boot", "--console=pipe"],
                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT, start_new_session=True)
            machine = None
            try:
                machine = cls(nspawn, _leader_of(nspawn, console_log), console_log)
                machine._wait_until_up()
                yield machine
            finally:
                if machine is not None:
                    machine.poweroff()
                else:
                    _end(nspawn, None)

    def run(self, *argv: str, input: str | bytes | None = None, check: bool = True, timeout: float = 120,
            user: str | None = None, cwd: str | None = None) -> subprocess.CompletedProcess:
        """Runs `argv` inside the container (as root, or as `user` through runuser), with a
        clean environment; raises GuestCommandError on a non-zero exit when `check`."""
        prefix = ["nsenter", "-t", str(self.leader), "-a", "--", "/usr/bin/env", "-i"]
        prefix += [*(["-C", cwd] if cwd else []), *GUEST_ENV]
        if user:
            prefix += ["runuser", "-u", user, "--"]
        text = not isinstance(input, bytes)
        result = subprocess.run(prefix + list(argv), input=input, capture_output=True, text=text, timeout=timeout)
        if check and result.returncode != 0:
            output = result.stdout + result.stderr if text else (result.stdout + result.stderr).decode(errors="replace")
            raise GuestCommandError(f"{' '.join(argv)} exited with {result.returncode} in the container:\n{output[-3000:]}")
        return result

    def output(self, *argv: str, **options) -> str:
        return self.run(*argv, **options).stdout.strip()

    def write_file(self, path: str, content: str | bytes, mode: str = "644", owner: str = "root", group: str = "root") -> None:
        self.run("install", "-D", "-m", mode, "-o", owner, "-g", group, "/dev/stdin", path, input=content)

    def read_file(self, path: str) -> str:
        return self.run("cat", path).stdout

    def unit_property(self, unit: str, name: str) -> str:
        """`systemctl show -p NAME --value UNIT`."""
        return self.output("systemctl", "show", "-p", name, "--value", unit)

    def wait_for_unit(self, unit: str, expected: dict[str, str], timeout: float = 30) -> dict[str, str]:
        """Polls the unit's properties until they have the expected values; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            found = {name: self.unit_property(unit, name) for name in expected}
            if found == expected:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{unit}: still {found} after {timeout} s, expected {expected}")
            time.sleep(0.2)

    def journal(self, *arguments: str, **options) -> str:
        return self.output("journalctl", "--no-pager", "-q", *arguments, **options)

    def poweroff(self) -> None:
        _end(self.nspawn, self.leader)

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT
        while True:
            # Until systemd has set up its private socket, systemctl cannot connect (no state, or
            # "offline"): try again.
            result = self.run("systemctl", "is-system-running", "--wait", check=False, timeout=BOOT_TIMEOUT)
            state = result.stdout.strip()
            if state not in ("", "offline") or time.monotonic() > deadline or self.nspawn.poll() is not None:
                break
            time.sleep(0.1)
        if state != "running":
            if state in ("", "offline"):
                raise Unavailable(
                    f"systemd in the container did not answer: {result.stderr.strip()}\n{_tail(self.console_log)}")
            failed = self.output("systemctl", "--failed", "--no-legend", "--plain", check=False)
            raise Unavailable(f"the container booted to state {state!r}; failed units:\n{failed}")


def _leader_of(nspawn: subprocess.Popen, console_log: Path) -> int:
    """The container's PID 1 as the host sees it: nspawn's child."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if nspawn.poll() is not None:
            raise Unavailable(f"systemd-nspawn exited with {nspawn.returncode}:\n{_tail(console_log)}")
        with contextlib.suppress(OSError):
            pids = _children(nspawn.pid)
            # nspawn forks a child that execs /sbin/init once the namespaces are set up.
            if pids and os.readlink(f"/proc/{pids[0]}/exe").endswith("/systemd"):
                return pids[0]
        time.sleep(0.05)
    raise Unavailable(f"no container init appeared within {BOOT_TIMEOUT} s:\n{_tail(console_log)}")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _end(nspawn: subprocess.Popen, leader: int | None) -> None:
    """SIGTERM makes nspawn ask the container's systemd for an orderly shutdown; if that does not
    finish in time, the container's init and nspawn are killed (ending every process inside)."""
    if nspawn.poll() is None:
        nspawn.terminate()
        try:
            nspawn.wait(POWEROFF_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            pass
        # Killing the container's init ends every process in its PID namespace.
        for pid in [leader] if leader is not None else _children(nspawn.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        nspawn.kill()
        nspawn.wait()


@contextlib.contextmanager
def _sigterm_raises():
    """While a container runs, SIGTERM to this process acts as Ctrl-C: pytest ends the session
    and its clean-up powers the container off."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _tail(path: Path, limit: int = 3000) -> str:
    return path.read_text(errors="replace")[-limit:] if path.exists() else ""
