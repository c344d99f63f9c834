"""What a contract version reads and writes: each row it needs once (the organisation's calendar
serves both the schedule and the obligations' zone), and the same rows as before."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from obligation_tracker.adapters.contract_projection import ContractProjection
from obligation_tracker.adapters.orm import metadata
from obligation_tracker.adapters.settings_repository import OrgSettingsRepository
from obligation_tracker.adapters.version_repository import ContractVersions
from sqlalchemy import event
from test_tracker_handlers import CONTRACT, Clock, Db, contract

AUCKLAND = "Pacific/Auckland"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Db]:
    database = Db(tmp_path / "tracker.db", Clock())
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.engine.dispose()


@contextmanager
def statements(db: Db) -> Iterator[list[str]]:
    made: list[str] = []

    def seen(*args: Any) -> None:
        made.append(" ".join(args[2].split()))

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield made
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)


async def keep_calendar(db: Db, time_zone: str) -> None:
    async with db.uow() as uow:
        await OrgSettingsRepository(uow.session, "org-unit").put(
            {
                "time_zone": time_zone,
                "holiday_country": "US",
                "holiday_subdivision": None,
                "lead_days": [30],
                "updated_at": datetime(2026, 6, 1, tzinfo=UTC),
                "updated_by": "test",
            }
        )
        await uow.commit()


@pytest.mark.parametrize("time_zone", [None, AUCKLAND])
async def test_an_amendment_reads_the_organisations_calendar_once(db: Db, time_zone: str | None) -> None:
    if time_zone is not None:
        await keep_calendar(db, time_zone)
    await db.deliver(contract("contract.created", 1, termination_date="2027-12-31", notice_days=90))
    with statements(db) as made:
        await db.deliver(contract("contract.amended", 2, termination_date="2028-06-30", notice_days=120))
    assert sum(s.startswith("SELECT") and "FROM org_settings" in s for s in made) == 1
    rows = {r.kind: r for r in await db.rows()}
    assert rows["renewal_notice"].due_date == date(2028, 3, 2)
    zone = ZoneInfo(time_zone or "America/New_York")
    for row in rows.values():  # due at the end of the business day in the organisation's zone
        due_at = row.due_at.replace(tzinfo=UTC).astimezone(zone)
        assert (due_at.date(), due_at.hour) == (row.due_date, 17)


async def test_an_amendment_reads_the_kept_version_and_the_latest_in_one_statement(db: Db) -> None:
    await db.deliver(contract("contract.created", 1, termination_date="2027-12-31", notice_days=90))
    with statements(db) as made:
        await db.deliver(contract("contract.amended", 2, termination_date="2028-06-30", notice_days=120))
    reads = [
        s for s in made if s.startswith("SELECT") and ("FROM contracts" in s or "FROM contract_versions" in s)
    ]
    assert len(reads) == 1


async def test_held_versions_are_the_rows_each_get_finds(db: Db) -> None:
    contract_id = CONTRACT
    async with db.uow() as uow:
        held = await ContractProjection(uow.session).held(contract_id, 1)
    assert (held.kept, held.latest) == (None, None)
    await db.deliver(contract("contract.created", 1, termination_date="2027-12-31", notice_days=90))
    await db.deliver(contract("contract.amended", 2, termination_date="2028-06-30", notice_days=120))
    for number in (1, 2, 3):
        async with db.uow() as uow:
            held = await ContractProjection(uow.session).held(contract_id, number)
            kept = await ContractVersions(uow.session).get(contract_id, number)
            latest = await ContractProjection(uow.session).get(contract_id)
        assert held.latest is not None and latest is not None
        assert _seen(held.latest) == _seen(latest)
        assert (held.kept is None, kept is None) == (number == 3, number == 3)
        if kept is not None:
            assert _seen(held.kept) == _seen(kept)
            assert held.kept.version == number


def _seen(row: Any) -> tuple[Any, ...]:
    """The columns `is_newer` reads."""
    return (row.version, row.status, row.event_time, row.version_data)
