"""Fixtures for the booted-systemd tests: a sandbox Prosody on the host, a Debian booted under
a real systemd (booted_debian.py), and adhocd installed in it from the .deb (adhocd_service.py).

One container and one Prosody serve the whole session; each test leaves the system as it found
it (units running, configuration and polkit rule in place, the bot online).
"""

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for path in (HERE, REPO / "Tests" / "interop", REPO / "Tests" / "packaging", REPO / "scripts"):
    sys.path.insert(0, str(path))

from adhocd_harness import BotPresence, set_roster_groups, xmpp_client  # noqa: E402
from adhocd_service import InstalledAdhocd  # noqa: E402
from booted_debian import BootedSystem, RootFileSystem, Unavailable, missing_capabilities  # noqa: E402
from prosody_sandbox import Sandbox  # noqa: E402
from support import IN_CI, package_under_test  # noqa: E402

ACCOUNTS = {"bot": "botpw", "user": "userpw", "stranger": "strangerpw", "media": "mediapw"}


def unavailable(reason: str):
    """Skips with the reason on a developer machine; fails under CI, which must run every test."""
    if IN_CI:
        pytest.fail(f"{reason}: CI must run the booted-systemd tests", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report shows what the container's journal says about adhocd."""
    outcome = yield
    report = outcome.get_result()
    machine = item.funcargs.get("machine")
    if report.when == "call" and report.failed and machine is not None:
        journal = machine.journal("-u", "adhocd", "-n", "80", "-o", "short-precise", check=False)
        report.sections.append(("journal of adhocd in the booted system (last 80 lines)", journal))


@pytest.fixture(scope="session")
def prosody():
    missing = [program for program in ("prosody", "prosodyctl", "openssl") if shutil.which(program) is None]
    if missing:
        unavailable(f"{', '.join(missing)} not installed (make test installs them)")
    directory = tempfile.mkdtemp(prefix="adhocd-systemd-prosody-")
    try:
        with Sandbox.start(directory, accounts=ACCOUNTS) as server:
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def machine(tmp_path_factory):
    """The booted Debian; powered off at the end of the session, however it ends."""
    missing = missing_capabilities()
    if missing:
        unavailable("; ".join(missing))
    try:
        rootfs = RootFileSystem.ensure(log=lambda line: print(f"booted_debian: {line}", file=sys.__stderr__, flush=True))
    except Unavailable as error:
        unavailable(f"cannot build the root file system: {error}")
    try:
        with BootedSystem.boot(rootfs, tmp_path_factory.mktemp("machine")) as booted:
            yield booted
    except Unavailable as error:
        unavailable(f"cannot boot the container: {error}")


@pytest.fixture(scope="session")
def adhocd(machine, prosody, tmp_path_factory) -> InstalledAdhocd:
    """adhocd installed from the .deb and running; the contact `user` is in roster group admins
    and subscribed to the bot's presence, `stranger` in no group."""
    installed = InstalledAdhocd.install(machine, package_under_test(tmp_path_factory), prosody)

    async def contacts():
        async with xmpp_client(prosody, "bot", "botpw", resource="admin") as admin:
            await set_roster_groups(admin, prosody.jid("user"), ["admins"])
        async with xmpp_client(prosody, "user", "userpw") as user:
            heard = BotPresence(user, prosody.jid("bot"))
            user.send_presence_subscription(pto=prosody.jid("bot"))
            await heard.next(lambda presence: presence["type"] == "subscribed", timeout=30)
    asyncio.run(asyncio.wait_for(contacts(), 60))
    return installed
