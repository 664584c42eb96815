"""A stand-in for systemd's manager on a private bus (the real one does not run in CI containers).

Usage: systemd_standin.py BUS_ADDRESS UNIT [UNIT...]. Owns `org.freedesktop.systemd1` and
implements the few members adhocd's `preset = "systemd"` uses: Manager.GetUnit, LoadUnit,
StartUnit, StopUnit, RestartUnit, Subscribe, and each unit's ActiveState and SubState, with
PropertiesChanged when they change. Every job it is asked for is printed to stdout ("JOB
RestartUnit nginx.service replace"), for tests to read. Tests send a unit into `failed` with
org.adhocd.Test.Standin.Fail(UNIT) on the manager's object (systemd has no such method).
"""

import asyncio
import sys

from dbus_fast import DBusError
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method

MANAGER_PATH = "/org/freedesktop/systemd1"


def unit_path(name: str) -> str:
    # systemd's escaping: every byte outside [A-Za-z0-9] becomes _XX.
    return "/org/freedesktop/systemd1/unit/" + "".join(
        char if char.isascii() and char.isalnum() else f"_{ord(char):02x}" for char in name)


class Unit(ServiceInterface):
    def __init__(self, name: str):
        super().__init__("org.freedesktop.systemd1.Unit")
        self.unit_id = name  # not `name`: ServiceInterface uses that for the interface name
        self.active, self.sub = "active", "running"

    @dbus_property(access=PropertyAccess.READ)
    def Id(self) -> "s":
        return self.unit_id

    @dbus_property(access=PropertyAccess.READ)
    def ActiveState(self) -> "s":
        return self.active

    @dbus_property(access=PropertyAccess.READ)
    def SubState(self) -> "s":
        return self.sub

    def enter(self, active: str, sub: str) -> None:
        """Changes state and says so, as systemd does for its subscribers."""
        self.active, self.sub = active, sub
        self.emit_properties_changed({"ActiveState": active, "SubState": sub})


class Manager(ServiceInterface):
    def __init__(self, bus: MessageBus, names: list[str]):
        super().__init__("org.freedesktop.systemd1.Manager")
        self.units = {name: Unit(name) for name in names}
        for name, unit in self.units.items():
            bus.export(unit_path(name), unit)

    def _unit(self, name: str) -> Unit:
        if name not in self.units:
            raise DBusError("org.freedesktop.systemd1.NoSuchUnit", f"Unit {name} not loaded.")
        return self.units[name]

    def _job(self, method_name: str, name: str, mode: str, active: str, sub: str) -> str:
        unit = self._unit(name)
        print(f"JOB {method_name} {name} {mode}", flush=True)
        unit.enter(active, sub)
        return f"/org/freedesktop/systemd1/job/{len(name)}"

    @method()
    def GetUnit(self, name: "s") -> "o":
        self._unit(name)
        return unit_path(name)

    @method()
    def LoadUnit(self, name: "s") -> "o":
        self._unit(name)
        return unit_path(name)

    @method()
    def StartUnit(self, name: "s", mode: "s") -> "o":
        return self._job("StartUnit", name, mode, "active", "running")

    @method()
    def StopUnit(self, name: "s", mode: "s") -> "o":
        return self._job("StopUnit", name, mode, "inactive", "dead")

    @method()
    def RestartUnit(self, name: "s", mode: "s") -> "o":
        return self._job("RestartUnit", name, mode, "active", "running")

    @method()
    def Subscribe(self):
        print("SUBSCRIBE", flush=True)


class Standin(ServiceInterface):
    """What tests do to units that systemd would do by itself."""

    def __init__(self, manager: Manager):
        super().__init__("org.adhocd.Test.Standin")
        self.manager = manager

    @method()
    def Fail(self, name: "s"):
        self.manager._unit(name).enter("failed", "failed")


async def main(address: str, names: list[str]) -> None:
    bus = await MessageBus(bus_address=address).connect()
    manager = Manager(bus, names)
    bus.export(MANAGER_PATH, manager)
    bus.export(MANAGER_PATH, Standin(manager))
    await bus.request_name("org.freedesktop.systemd1")
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
