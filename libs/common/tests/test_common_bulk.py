"""The lean SQLite bulk insert stores exactly what SQLAlchemy's Core insert stores, column type by
column type (Money, Date, DateTime, JSON, NULLs), and refuses a float for money."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accord_common.bulk import insert_rows
from accord_common.db import Money, make_engine, make_session_factory, new_metadata
from sqlalchemy import JSON, Column, Date, DateTime, Integer, String, Table, insert, text

metadata = new_metadata()
rows_table = Table(
    "bulk_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=True),
    Column("amount", Money, nullable=True),
    Column("on_day", Date, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("doc", JSON, nullable=True),
)
NOW = datetime(2026, 11, 23, 14, 5, 6, 789, tzinfo=UTC)
EASTERN = timezone(timedelta(hours=-5))


def _rows(first_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": first_id + n,
            "name": f"row {n}",
            "amount": amount,
            "on_day": date(2024, 2, 29) + timedelta(days=n),
            "at": moment,
            "doc": {"lines": [1, 2], "text": "é", "n": n},
        }
        for n, (amount, moment) in enumerate(
            [
                (Decimal("150.00"), NOW),
                (Decimal("0.123456"), NOW),  # the same datetime object again
                (Decimal("-12.5"), datetime(2026, 1, 1, 9, 0, tzinfo=EASTERN)),
                (Decimal("1E+2"), NOW.replace(microsecond=0)),
            ]
        )
    ] + [{"id": first_id + 9, "name": None, "amount": None, "on_day": None, "at": None, "doc": None}]


async def _stored(tmp_path: Path) -> tuple[list[Any], list[Any]]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/bulk.db")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = make_session_factory(engine)
    async with sessions() as session:
        await session.execute(insert(rows_table), _rows(1))
        await insert_rows(session, rows_table, _rows(101))
        await session.commit()
    async with engine.connect() as connection:
        raw = (await connection.execute(text("SELECT * FROM bulk_rows ORDER BY id"))).all()
        typed = (await connection.execute(rows_table.select().order_by(rows_table.c.id))).all()
    await engine.dispose()
    return list(raw), list(typed)


def test_bulk_rows_are_stored_as_the_core_insert_stores_them(tmp_path: Path) -> None:
    raw, typed = asyncio.run(_stored(tmp_path))
    core, bulk = raw[:5], raw[5:]
    assert len(bulk) == 5
    for a, b in zip(core, bulk, strict=True):
        assert a[1:] == b[1:]  # every column byte for byte, ids aside
    # and they read back as the values written
    assert typed[5].amount == Decimal("150.00")
    assert typed[7].at == datetime(2026, 1, 1, 14, 0, tzinfo=UTC)
    assert typed[8].on_day == date(2024, 3, 3)
    assert typed[5].doc == {"lines": [1, 2], "text": "é", "n": 0}
    assert typed[9].amount is None and typed[9].doc is None


def test_bulk_insert_refuses_a_float_for_money(tmp_path: Path) -> None:
    async def run() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/bulk.db")
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with make_session_factory(engine)() as session:
            row = {**_rows(1)[0], "amount": 150.0}
            with pytest.raises(TypeError, match="Money columns take Decimal"):
                await insert_rows(session, rows_table, [row])
        await engine.dispose()

    asyncio.run(run())
