"""Bulk updates on PostgreSQL go as one UPDATE ... FROM unnest(arrays) inside the session's
transaction: the rows read back exactly as after a Core update (Money, Date, DateTime, JSON, NULLs,
a two-column key), a row that matches nothing changes nothing, and a rollback keeps nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from accord_common.bulk_update import update_rows
from accord_common.db import Money, make_engine, make_session_factory, new_metadata
from accord_common.testing.postgres import PostgresServer
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    bindparam,
    insert,
    select,
    text,
    update,
)

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
    not stored (the same as the SQLite test's)."""
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


@pytest.fixture
async def sessions(postgres_server: PostgresServer) -> Any:
    url = await postgres_server.create_database_async(f"bulk_update_{uuid.uuid4().hex[:8]}")
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    async with make_session_factory(engine)() as session:
        for table in (core_rows, bulk_rows):
            await session.execute(insert(table), stored_rows())
        await session.commit()
    yield make_session_factory(engine)
    await engine.dispose()


async def test_unnest_updated_rows_read_back_as_core_updated_rows(sessions: Any) -> None:
    async with sessions() as session:
        await session.execute(core_update(core_rows), core_params())
        await update_rows(session, bulk_rows, KEYS, changes())
        await session.commit()
        core = (await session.execute(select(core_rows).order_by(*core_rows.primary_key))).all()
        bulk = (await session.execute(select(bulk_rows).order_by(*bulk_rows.primary_key))).all()
        as_text = "SELECT amount::text, doc::text, at::text, on_day::text FROM {} ORDER BY 1, 2, 3, 4"
        core_text = (await session.execute(text(as_text.format("core_rows")))).all()
        bulk_text = (await session.execute(text(as_text.format("bulk_rows")))).all()
    assert len(bulk) == 4  # the line that is not stored was not added
    assert bulk == core
    assert bulk_text == core_text  # the same text in the database: JSON None is JSON null, as Core writes
    assert bulk[0].doc == {"lines": [1, 2], "text": "é"} and bulk[3].name == "old"


async def test_an_update_as_the_first_statement_rolls_back_with_the_transaction(sessions: Any) -> None:
    async with sessions() as session:
        await update_rows(session, bulk_rows, KEYS, changes())
        await session.rollback()
    async with sessions() as session:
        names = (await session.execute(select(bulk_rows.c.name))).scalars().all()
    assert set(names) == {"old"}
