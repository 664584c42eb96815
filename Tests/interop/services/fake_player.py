"""A second MPRIS media player for the interop tests (beside a real mpv).

Usage: fake_player.py BUS_ADDRESS [REPEAT]. REPEAT makes its Identity that many copies of a
phrase full of characters XML escapes (a hostile or careless service). Owns `org.mpris.MediaPlayer2.fake` and, like newer
mpv-mpris, an alias `org.mpris.MediaPlayer2.fake.instance42` for the same connection: a
remote must list it once. Each Player method it receives is printed ("CALL PlayPause").
"""

import asyncio
import socket
import sys

from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method


class Root(ServiceInterface):
    def __init__(self, identity: str):
        super().__init__("org.mpris.MediaPlayer2")
        self.identity = identity

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> "s":
        return self.identity


class Player(ServiceInterface):
    def __init__(self):
        super().__init__("org.mpris.MediaPlayer2.Player")
        self.status = "Paused"
        self.volume = 0.8

    def _called(self, name: str) -> None:
        print(f"CALL {name}", flush=True)

    @method()
    def PlayPause(self):
        self._called("PlayPause")
        self.status = "Playing" if self.status != "Playing" else "Paused"

    @method()
    def Play(self):
        self._called("Play")
        self.status = "Playing"

    @method()
    def Pause(self):
        self._called("Pause")
        self.status = "Paused"

    @method()
    def Stop(self):
        self._called("Stop")
        self.status = "Stopped"

    @method()
    def Next(self):
        self._called("Next")

    @method()
    def Previous(self):
        self._called("Previous")

    @method()
    def Seek(self, offset: "x"):
        self._called(f"Seek {offset}")

    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> "s":
        return self.status

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> "a{sv}":
        return {"xesam:title": Variant("s", "Radio Paradis"), "xesam:artist": Variant("as", ["Les Colocs"]),
                "mpris:length": Variant("x", 300_000_000)}

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> "x":
        return 42_000_000

    @dbus_property()
    def Volume(self) -> "d":
        return self.volume

    @Volume.setter
    def Volume(self, value: "d"):
        self._called(f"Volume {value}")
        self.volume = value


def make_room_for_large_replies(sock: socket.socket) -> None:
    """dbus-fast 5.2's writer does not wait when the socket's buffer is full: it raises
    BlockingIOError and drops the reply (seen on a loaded machine with a 300 KB Identity). A send
    buffer that holds the largest reply whole avoids that; forcing the size needs root, which
    the test machines have; elsewhere the capped size still helps."""
    for option in (getattr(socket, "SO_SNDBUFFORCE", None), socket.SO_SNDBUF):
        if option is None:
            continue
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, 4 << 20)
            return
        except OSError:
            continue


async def main(address: str, identity: str) -> None:
    bus = await MessageBus(bus_address=address).connect()
    make_room_for_large_replies(bus._sock)
    bus.export("/org/mpris/MediaPlayer2", Root(identity))
    bus.export("/org/mpris/MediaPlayer2", Player())
    await bus.request_name("org.mpris.MediaPlayer2.fake.instance42")
    await bus.request_name("org.mpris.MediaPlayer2.fake")
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    asyncio.run(main(sys.argv[1], "Fake <player> & 'friends' " * repeat if repeat else "Fake player"))
