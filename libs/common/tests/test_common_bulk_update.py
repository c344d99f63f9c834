"""The lean SQLite bulk update (one prepared UPDATE, executemany of plain tuples) leaves every
column exactly as SQLAlchemy's Core update leaves it, column type by column type (Money, Date,
DateTime, JSON, NULLs), matched on a two-column key; a row that matches nothing changes nothing, and
a float is refused for money."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accord_common.bulk_update import update_rows
from accord_common.db import make_engine, make_session_factory
from common_bulk_update_case import (
    KEYS,
    bulk_rows,
    changes,
    core_params,
    core_rows,
    core_update,
    metadata,
    stored_rows,
)
from sqlalchemy import insert, text


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
