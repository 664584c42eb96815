"""adhocd installed in a booted Debian as an admin would (README, "From the Debian package"):
the .deb with apt, the example configuration edited for the sandbox Prosody, the password file,
the polkit rule naming a test unit, then `systemctl enable --now adhocd`.

Three small units stand in for the machine's services: TARGET (listed in `units` and in the
polkit rule), OTHER (in neither) and FAILING (exits 1 when started).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from booted_debian import BootedSystem

CONFIG = "/etc/adhocd/adhocd.toml"
PASSWORD = "botpw"
TARGET = "adhocd-test-target.service"
OTHER = "adhocd-test-other.service"
FAILING = "adhocd-test-fail.service"
POLKIT_RULE = "/etc/polkit-1/rules.d/50-adhocd.rules"
PROBE = "/usr/local/bin/adhocd-test-probe"
PROBE_TEXT = "probe says hello"
AUDIT_LOG = "/var/log/adhocd/commands.jsonl"

TEST_UNITS = {
    TARGET: "[Unit]\nDescription=adhocd test: a service the bot may restart\n\n"
            "[Service]\nType=simple\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n",
    OTHER: "[Unit]\nDescription=adhocd test: a service outside the bot's units\n\n"
           "[Service]\nType=simple\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n",
    FAILING: "[Unit]\nDescription=adhocd test: a service that fails\n\n[Service]\nType=simple\nExecStart=/bin/false\n",
}


class ExampleEdit(AssertionError):
    """The shipped example no longer has a line the test edits: update the edit."""


def edit(text: str, old: str, new: str) -> str:
    """Replaces one exact piece of the shipped example, which must be there."""
    if text.count(old) != 1:
        raise ExampleEdit(f"the example configuration should contain {old!r} once")
    return text.replace(old, new)


def configuration_for(example: str, prosody) -> str:
    """The shipped example with the edits an admin makes for this machine: the account on the
    sandbox Prosody, the health monitor every second with only failed units able to warn (load
    on a busy test machine must not), a probe command, and the `systemd` block uncommented for
    the test unit."""
    text = example
    for old, new in (
        ('jid = "bot@example.org"', f'jid = "bot@{prosody.domain}"'),
        ('# host = "xmpp.example.org"', f'host = "{prosody.host}"'),
        ("# port = 5222", f"port = {prosody.c2s_port}"),
        ('# ca_file = "/etc/adhocd/ca.pem"', 'ca_file = "/etc/adhocd/ca.pem"'),
        ("\ninterval = 60 ", "\ninterval = 1 "),
        ("load_warning = 1.0 ", "load_warning = 0 "),
        ("load_critical = 2.0", "load_critical = 0"),
        ("memory_warning = 85 ", "memory_warning = 0 "),
        ("memory_critical = 95", "memory_critical = 0"),
        ("disk_warning = 85", "disk_warning = 0"),
        ("disk_critical = 95", "disk_critical = 0"),
        ('# probe_command = ["/usr/local/bin/check-backup"]', f'probe_command = ["{PROBE}"]'),
        ("# alert_interval = 300", "alert_interval = 0"),
    ):
        text = edit(text, old, new)
    block = re.search(r'# \[\[dbus\]\]\n# preset = "systemd".*?\n# allow = \["group:admins"\]\n', text, re.S)
    if block is None:
        raise ExampleEdit("the example configuration should hold a commented [[dbus]] block with preset = \"systemd\"")
    systemd_block = re.sub(r"^# ", "", block.group(0), flags=re.M).replace('["nginx.service"]', f'["{TARGET}"]')
    return text.replace(block.group(0), systemd_block)


def polkit_rule_for(example: str) -> str:
    return edit(example, 'var units = ["nginx.service"];', f'var units = ["{TARGET}"];')


def restart_command_for(example: str) -> str:
    """The shipped restart-service.toml with the test unit among its choices."""
    return edit(example, "options = [\n", f'options = [\n    {{ value = "{TARGET}", label = "Test target" }},\n')


@dataclass
class InstalledAdhocd:
    machine: BootedSystem
    prosody: object

    @property
    def jid(self) -> str:
        return f"bot@{self.prosody.domain}/adhocd"

    @classmethod
    def install(cls, machine: BootedSystem, deb: Path, prosody) -> InstalledAdhocd:
        # apt wants a path with a slash to take a file rather than a package name.
        machine.write_file(f"/root/{deb.name}", deb.read_bytes())
        machine.run("apt", "install", "-y", "-q", f"./{deb.name}", cwd="/root", timeout=300)

        machine.write_file("/etc/adhocd/ca.pem", Path(prosody.ca_file).read_text(), mode="640", group="adhocd")
        machine.write_file(CONFIG, configuration_for(machine.read_file(CONFIG), prosody), mode="640", group="adhocd")
        machine.write_file("/etc/adhocd/password", f"{PASSWORD}\n", mode="600", owner="adhocd", group="adhocd")
        restart = "/etc/adhocd/commands.d/restart-service.toml"
        machine.write_file(restart, restart_command_for(machine.read_file(restart)))
        machine.write_file(PROBE, f"#!/bin/sh\necho '{PROBE_TEXT}'\n", mode="755")

        for name, text in TEST_UNITS.items():
            machine.write_file(f"/etc/systemd/system/{name}", text)
        machine.run("systemctl", "daemon-reload")
        machine.run("systemctl", "enable", "--now", TARGET, OTHER)
        installed = cls(machine, prosody)
        installed.allow_in_polkit()

        # As the service will read it; 0: commands.d loads whole too.
        machine.run("adhocd", "check", "--config", CONFIG, user="adhocd")
        machine.run("systemctl", "enable", "--now", "adhocd")
        return installed

    def allow_in_polkit(self) -> None:
        """Installs the shipped polkit rule, naming TARGET."""
        example = self.machine.read_file("/usr/share/doc/adhocd/examples/50-adhocd.rules")
        self._change_polkit_rules(lambda: self.machine.write_file(POLKIT_RULE, polkit_rule_for(example)))

    def forbid_in_polkit(self) -> None:
        self._change_polkit_rules(lambda: self.machine.run("rm", "-f", POLKIT_RULE))

    def _change_polkit_rules(self, change) -> None:
        """Makes the change, then waits until a running polkitd has read its rules again (it
        watches the directory); one not running yet reads them when it starts."""
        running = self.machine.unit_property("polkit.service", "ActiveState") == "active"
        before = self._polkit_rule_loads()
        change()
        deadline = time.monotonic() + 10
        while running and self._polkit_rule_loads() == before:
            if time.monotonic() > deadline:
                raise AssertionError("polkitd did not reload its rules within 10 s")
            time.sleep(0.1)

    def _polkit_rule_loads(self) -> int:
        return self.machine.journal("-u", "polkit.service", "-o", "cat").count("Finished loading, compiling and executing")

    def main_pid(self) -> int:
        return int(self.machine.unit_property("adhocd", "MainPID"))

    def invocation(self, unit: str) -> str:
        return self.machine.unit_property(unit, "InvocationID")
