"""pytest fixtures for the shipping tests (helpers are in support.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import adhocd_binary  # noqa: E402


@pytest.fixture(scope="session")
def adhocd() -> Path:
    """The adhocd binary under test."""
    return adhocd_binary()
