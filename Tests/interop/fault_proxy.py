"""A TCP proxy between adhocd and Prosody that a test controls, to cause network faults on purpose.

    with FaultProxy(sandbox.host, sandbox.c2s_port) as proxy:
        ...point adhocd at proxy.port...
        proxy.cut()                 # every connection through it ends at once, both ways
        proxy.swallow_upstream()    # bytes from adhocd vanish (a reply lost on the wire) ...
        proxy.cut()                 # ... until the cut that follows (what a NAT timeout does)

It forwards bytes without looking at them, so TLS stays end to end: a fault hits the encrypted
stream as a real network would. It runs its own asyncio loop in a thread, so the test's own
loop (slixmpp) and the daemon under test are unaffected by its timing.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self.accepted = 0
        self._swallowing = False
        self._refusing = False
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)

    # -- life cycle

    def start(self) -> FaultProxy:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._accept, self.host, 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self.cut()
        if self._server is not None:
            self._server.close()
            self._call(self._server.wait_closed())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- faults

    def cut(self) -> int:
        """Ends every connection through the proxy at once (a reset, no goodbye); returns how
        many there were. New connections are accepted again straight away."""
        self._swallowing = False
        return self._call(self._cut())

    def cut_and_refuse(self) -> int:
        """Ends every connection and refuses new ones until `reopen()`: the server out of reach
        while it keeps the bot's session (a network outage, not a server restart)."""
        self._refusing = True
        return self.cut()

    def reopen(self) -> None:
        self._refusing = False

    def swallow_upstream(self) -> None:
        """From now until the next cut, what adhocd sends never reaches the server."""
        self._swallowing = True

    @property
    def open_connections(self) -> int:
        return len(self._links)

    def wait_for_connections(self, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.accepted < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the proxy saw {self.accepted} connections, not {count}, in {timeout} s")
            time.sleep(0.02)

    # -- inside the proxy's loop

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self._refusing:
            client_writer.close()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        link = (client_writer, server_writer)
        self._links.add(link)
        try:
            await asyncio.gather(
                self._pump(client_reader, server_writer, upstream=True),
                self._pump(server_reader, client_writer, upstream=False),
            )
        finally:
            self._links.discard(link)
            for writer in link:
                _abort(writer)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: bool) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if upstream and self._swallowing:
                    continue
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            _abort(writer)

    async def _cut(self) -> int:
        links = list(self._links)
        for link in links:
            for writer in link:
                _abort(writer)
        self._links.clear()
        return len(links)


def _abort(writer: asyncio.StreamWriter) -> None:
    """Closes with a reset where possible (SO_LINGER 0): a cut network, not a polite close."""
    transport = writer.transport
    if transport.is_closing():
        return
    raw = transport.get_extra_info("socket")
    if raw is not None:
        try:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()
