"""The workspace runs pytest with --import-mode=importlib, which does not put test folders on
sys.path; this folder is added so `from tracker_claim_events import ...` works. `db`: a tracker
database on SQLite (tracker_claim_events.Db)."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from obligation_tracker.adapters.orm import metadata  # noqa: E402
from tracker_claim_events import Db  # noqa: E402


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Db]:
    database = Db(tmp_path / "tracker.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.engine.dispose()
