"""A private D-Bus session bus for the interop tests, and the programs that live on it.

Each test gets its own `dbus-daemon --session` on a socket in a temp dir, never the machine's
buses. On it run real services: mpv with its MPRIS plugin (Debian's mpv-mpris), and small
dbus-fast services from `services/` that stand in for what this container lacks (systemd)
or expose every signature kind. Everything started here is stopped by `close()`.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVICES = Path(__file__).resolve().parent / "services"
MPRIS_PLUGIN = Path("/etc/mpv/scripts/mpris.so")


def missing_programs(*programs: str) -> list[str]:
    missing = [program for program in programs if shutil.which(program) is None]
    if "mpv" in programs and not MPRIS_PLUGIN.exists():
        missing.append("mpv-mpris")
    return missing


class PrivateBus:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="adhocd-bus-"))
        self.address = f"unix:path={self.dir}/bus"
        self.processes: dict[str, subprocess.Popen] = {}
        self._launch("dbus-daemon", ["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={self.address}"])
        # The socket file appears at bind(), a moment before the daemon listens: wait for an answer.
        self._wait(lambda: (self.dir / "bus").exists() and self.has_name("org.freedesktop.DBus"), "the bus to answer")

    # Programs on the bus

    def start_mpv(self, name: str = "mpv", media: str | None = None) -> None:
        """mpv playing `media` (a file), or a generated tone titled "Test tone"."""
        source = [media] if media else ["--force-media-title=Test tone", "av://lavfi:sine=frequency=440"]
        self._launch(name, [
            "mpv", "--idle=yes", "--ao=null", "--vo=null", "--no-terminal", "--loop-file=inf", "--volume=50", *source,
        ])
        self.wait_for_name("org.mpris.MediaPlayer2.mpv")

    def tagged_tone(self, file_name: str, frequency: int, tags: dict[str, str], seconds: int = 30) -> Path:
        """A WAV file of a sine tone with RIFF INFO tags (IART artist, INAM title, IPRD album),
        which mpv reads into its MPRIS Metadata."""
        samples = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * index / 8000))) for index in range(8000 * seconds))
        info = b"INFO"
        for key, value in tags.items():
            raw = value.encode() + b"\0"
            raw += b"\0" * (len(raw) % 2)
            info += key.encode() + struct.pack("<I", len(raw)) + raw
        fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
        chunks = (b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(samples)) + samples
                  + b"LIST" + struct.pack("<I", len(info)) + info)
        path = self.dir / file_name
        path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)
        return path

    def start_service(self, script: str, bus_name: str, *arguments: str) -> None:
        """Runs services/SCRIPT (a dbus-fast service) until it owns `bus_name`."""
        self._launch(script, [sys.executable, str(SERVICES / script), self.address, *arguments])
        self.wait_for_name(bus_name)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def is_running(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def output(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # Bus queries, through dbus-send: an independent client.

    def call(self, destination: str, path: str, member: str, *arguments: str) -> str:
        result = subprocess.run(
            ["dbus-send", f"--bus={self.address}", "--print-reply", f"--dest={destination}", path, member, *arguments],
            capture_output=True, text=True, timeout=10)
        if result.returncode != 0:
            raise RuntimeError(f"dbus-send {member} failed: {result.stderr.strip()}")
        return result.stdout

    def property(self, destination: str, path: str, interface: str, name: str) -> str:
        """The property's value as dbus-send prints it (e.g. 'string "Playing"', 'double 0.5')."""
        reply = self.call(destination, path, "org.freedesktop.DBus.Properties.Get", f"string:{interface}", f"string:{name}")
        return reply.split("variant", 1)[1].strip()

    def has_name(self, name: str) -> bool:
        reply = self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}")
        return "boolean true" in reply

    def wait_for_name(self, name: str, present: bool = True, timeout: float = 15) -> None:
        self._wait(lambda: self.has_name(name) == present, f"{name} {'on' if present else 'off'} the bus", timeout)

    def close(self) -> None:
        for name in [name for name in self.processes if name != "dbus-daemon"]:
            self.stop(name)
        self.stop("dbus-daemon")
        shutil.rmtree(self.dir, ignore_errors=True)

    # Internals

    def _launch(self, name: str, argv: list[str]) -> None:
        log = open(self.dir / f"{name}.log", "ab")
        environment = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address)
        try:
            self.processes[name] = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=environment,
                start_new_session=True)
        finally:
            log.close()

    def _wait(self, condition, what: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except RuntimeError:
                pass
            time.sleep(0.05)
        logs = "\n".join(f"--- {name}:\n{self.output(name)[-1500:]}" for name in self.processes)
        raise TimeoutError(f"{what} did not come within {timeout} s\n{logs}")
