"""Fixtures of the notifier's unit tests; helpers live in notifier_world.py.

The workspace runs pytest with --import-mode=importlib, so this folder is put on sys.path.
"""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from notifier_world import World, running_world  # noqa: E402


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path) as started:
        yield started
