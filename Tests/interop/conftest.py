"""pytest fixtures: a throwaway Prosody per test (scripts/prosody_sandbox.py)."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

from ejabberd_sandbox import EjabberdSandbox  # noqa: E402
from prosody_sandbox import Sandbox  # noqa: E402

ACCOUNTS = {"bot": "botpw", "user": "userpw", "stranger": "strangerpw"}


def pytest_collection_modifyitems(config, items):
    """Without Prosody these tests cannot run: skip them (saying why) on a developer machine,
    but let them fail loudly under CI, so CI never passes by skipping."""
    if all(shutil.which(program) for program in ("prosody", "prosodyctl", "openssl")):
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return
    skip = pytest.mark.skip(reason="prosody, prosodyctl or openssl not installed (make test installs them)")
    for item in items:
        item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _running(request, kind: str, **options):
    """Starts a server of `kind` in a temp dir with the test accounts; yields it, prints its log
    when the test failed (under "Captured stdout teardown"), then stops it and removes the dir."""
    directory = tempfile.mkdtemp(prefix="adhocd-pytest-")
    os.chmod(directory, 0o755)  # the servers run as their own users
    try:
        start = Sandbox.start if kind == "prosody" else EjabberdSandbox.start
        with start(directory, accounts=ACCOUNTS, **options) as server:
            yield server
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                print(f"{kind} log for the failed test:\n{server.log_tail()}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def sandbox(request):
    """A started Prosody with accounts bot, user and stranger; stopped and removed afterwards."""
    yield from _running(request, "prosody")


@pytest.fixture
def muc_sandbox(request):
    """A started Prosody as `sandbox`, with a multi-user chat service at `muc_domain`."""
    yield from _running(request, "prosody", muc=True)


@pytest.fixture
def component_sandbox(request):
    """A started Prosody as `sandbox`, with an external component's domain (`component_domain`)
    that a test serves itself (`component_port`, `component_secret`)."""
    yield from _running(request, "prosody", component_secret="component-secret")


@pytest.fixture(params=["prosody", "ejabberd"])
def any_server(request):
    """Each server in turn, with the same accounts: Prosody (mod_smacks), then ejabberd
    (mod_stream_mgmt). ejabberd is optional on a developer machine, required under CI."""
    if request.param == "ejabberd" and not shutil.which("ejabberdctl") \
            and os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        pytest.skip("ejabberd not installed (make deps installs it)")
    yield from _running(request, request.param)
