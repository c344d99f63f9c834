"""The lean SQLite bulk update (one prepared UPDATE, executemany of plain tuples) leaves every
column exactly as SQLAlchemy's Core update leaves it, column type by column type (Money, Date,
DateTime, JSON, NULLs), matched on a two-column key; a row that matches nothing changes nothing, and
a float is refused for money."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accord_common.bulk_update import update_rows
from accord_common.db import Money, make_engine, make_session_factory, new_metadata
from sqlalchemy import JSON, Column, Date, DateTime, Integer, String, Table, bindparam, insert, text, update

metadata = new_metadata()


def _table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("claim_id", String(36), primary_key=True),
        Column("line_number", Integer, primary_key=True),
        Column("name", String(20), nullable=True),
        Column("amount", Money, nullable=True),
        Column("on_day", Date, nullable=True),
        Column("at", DateTime(timezone=True), nullable=True),
        Column("doc", JSON, nullable=True),
    )


core_rows, bulk_rows = _table("core_rows"), _table("bulk_rows")
NOW = datetime(2026, 11, 23, 14, 5, 6, 789, tzinfo=UTC)
KEYS = ("claim_id", "line_number")


def stored_rows() -> list[dict[str, Any]]:
    """Two claims of two lines each, before the update."""
    return [
        {"claim_id": c, "line_number": n, "name": "old", "amount": Decimal("1.00"), "on_day": None}
        | {"at": None, "doc": {"old": True}}
        for c in ("c-1", "c-2")
        for n in (1, 2)
    ]


def changes() -> list[dict[str, Any]]:
    """New values for three of the four lines (c-2 line 2 left alone) and one for a line that is
    not stored."""
    eastern = timezone(timedelta(hours=-5))
    return [
        {"claim_id": "c-1", "line_number": 1, "name": "é one", "amount": Decimal("150.00")}
        | {"on_day": date(2024, 2, 29), "at": NOW, "doc": {"lines": [1, 2], "text": "é"}},
        {"claim_id": "c-1", "line_number": 2, "name": None, "amount": Decimal("0.123456")}
        | {"on_day": None, "at": datetime(2026, 1, 1, 9, 0, tzinfo=eastern), "doc": []},
        {"claim_id": "c-2", "line_number": 1, "name": "x", "amount": None, "on_day": date(2026, 3, 14)}
        | {"at": NOW, "doc": None},
        {"claim_id": "c-9", "line_number": 1, "name": "none", "amount": Decimal("9")}
        | {"on_day": None, "at": None, "doc": None},
    ]


def core_update(table: Table) -> Any:
    return (
        update(table)
        .where(*[table.c[k] == bindparam(f"b_{k}") for k in KEYS])
        .values({c: bindparam(f"b_{c}") for c in changes()[0] if c not in KEYS})
    )


def core_params() -> list[dict[str, Any]]:
    return [{f"b_{k}": v for k, v in row.items()} for row in changes()]


async def _stored(tmp_path: Path) -> tuple[list[Any], list[Any], list[Any]]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/bulk.db")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    async with make_session_factory(engine)() as session:
        for table in (core_rows, bulk_rows):
            await session.execute(insert(table), stored_rows())
        await session.execute(core_update(core_rows), core_params())
        await update_rows(session, bulk_rows, KEYS, changes())
        await session.commit()
    async with engine.connect() as connection:
        order = " ORDER BY claim_id, line_number"
        core = (await connection.execute(text("SELECT * FROM core_rows" + order))).all()
        bulk = (await connection.execute(text("SELECT * FROM bulk_rows" + order))).all()
        typed = (await connection.execute(bulk_rows.select().order_by(*bulk_rows.primary_key))).all()
    await engine.dispose()
    return list(core), list(bulk), list(typed)


def test_bulk_updated_rows_are_stored_as_the_core_update_stores_them(tmp_path: Path) -> None:
    core, bulk, typed = asyncio.run(_stored(tmp_path))
    assert len(bulk) == 4  # the line that is not stored was not added
    assert bulk == core  # every column byte for byte
    assert typed[0].amount == Decimal("150.00") and typed[0].doc == {"lines": [1, 2], "text": "é"}
    assert typed[1].at == datetime(2026, 1, 1, 14, 0, tzinfo=UTC) and typed[1].name is None
    assert typed[2].amount is None and typed[2].on_day == date(2026, 3, 14)
    assert (typed[3].name, typed[3].amount, typed[3].doc) == ("old", Decimal("1.00"), {"old": True})


def test_bulk_update_refuses_a_float_for_money(tmp_path: Path) -> None:
    async def run() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/bulk.db")
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with make_session_factory(engine)() as session:
            with pytest.raises(TypeError, match="Money columns take Decimal"):
                await update_rows(session, bulk_rows, KEYS, [{**changes()[0], "amount": 150.0}])
        await engine.dispose()

    asyncio.run(run())
