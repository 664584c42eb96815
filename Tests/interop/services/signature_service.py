"""A D-Bus service with a method for every signature kind, for adhocd's interop tests.

Usage: signature_service.py BUS_ADDRESS. Owns `org.adhocd.Test` with one object,
/org/adhocd/Test, interface org.adhocd.Test.Signatures. Methods echo what they get, so a test
can check the form adhocd built, the marshalling both ways and the result form. Emit(TEXT,
LEVEL, COUNT) sends the signal Alarm(TEXT, LEVEL) COUNT times, for the signal notifications.
"""

import asyncio
import os
import sys

from dbus_fast import DBusError
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method, signal


class Signatures(ServiceInterface):
    def __init__(self):
        super().__init__("org.adhocd.Test.Signatures")
        self._counter = 7

    @method()
    def Basics(self, byte: "y", flag: "b", short: "n", ushort: "q", integer: "i", uinteger: "u",
               long: "x", ulong: "t", real: "d", text: "s", path: "o", signature: "g") -> "ybnqiuxtdsog":
        return [byte, flag, short, ushort, integer, uinteger, long, ulong, real, text, path, signature]

    @method()
    def Lists(self, words: "as", numbers: "ai") -> "s":
        return f"{len(words)} words: {'|'.join(words)}; sum {sum(numbers)}"

    @method()
    def Settings(self, settings: "a{sv}", labels: "a{ss}") -> "a{ss}":
        described = {key: f"{value.signature}:{value.value}" for key, value in settings.items()}
        described.update({f"label.{key}": value for key, value in labels.items()})
        return described

    @method()
    def Pair(self, pair: "(is)") -> "(si)":
        return [pair[1], pair[0]]

    @method()
    def Describe(self, value: "v") -> "s":
        return f"{value.signature}:{value.value}"

    @method()
    def Table(self) -> "a(sii)":
        return [["alpha", 1, 2], ["beta", 3, 4]]

    @method()
    def Huge(self, size: "u") -> "s":
        return "x" * size

    @method()
    def Nothing(self):
        return None

    @method()
    def Fail(self, reason: "s"):
        raise DBusError("org.adhocd.Test.Error.Refused", f"refused on purpose: {reason}")

    @method()
    async def Sleep(self, seconds: "u") -> "s":
        await asyncio.sleep(seconds)
        return "woke up"

    @method()
    async def Vanish(self):
        # Leave the bus mid-call, without answering: a crash from the caller's point of view.
        asyncio.get_running_loop().call_later(0.1, os._exit, 0)
        await asyncio.sleep(30)

    @signal()
    def Alarm(self, text: str, level: int) -> "su":
        return [text, level]

    @method()
    def Emit(self, text: "s", level: "u", count: "u"):
        for _ in range(count):
            self.Alarm(text, level)

    @method()
    def TakesFD(self, descriptor: "h") -> "s":
        return "never exposed"

    @dbus_property(access=PropertyAccess.READWRITE)
    def Counter(self) -> "i":
        return self._counter

    @Counter.setter
    def Counter(self, value: "i"):
        self._counter = value

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> "s":
        return "1.2.3"


async def main(address: str) -> None:
    bus = await MessageBus(bus_address=address).connect()
    bus.export("/org/adhocd/Test", Signatures())
    await bus.request_name("org.adhocd.Test")
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
