"""Bulk updates on PostgreSQL go as one UPDATE ... FROM unnest(arrays) inside the session's
transaction: the rows read back exactly as after a Core update (Money, Date, DateTime, JSON, NULLs,
a two-column key), a row that matches nothing changes nothing, and a rollback keeps nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from accord_common.bulk_update import update_rows
from accord_common.db import make_engine, make_session_factory
from accord_common.testing.postgres import PostgresServer
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
from sqlalchemy import (
    insert,
    select,
    text,
)


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
