"""`among`/`parts` on SQLite: an IN list in parts under SQLite's bound-variable limit, the same rows
as asking value by value (a real SQLite database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.sql_sets import SQLITE_PART, among, on_postgresql, parts
from sqlalchemy import Column, Integer, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

metadata = new_metadata()
things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("code", String(10)))


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'sets.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(insert(things), [{"id": i, "code": f"c{i}"} for i in range(3000)])
    yield make_session_factory(engine)
    await engine.dispose()


def test_values_come_in_parts_under_sqlites_limit_and_whole_on_postgresql() -> None:
    values = [str(i) for i in range(2 * SQLITE_PART + 1)]
    assert [len(p) for p in parts(values, postgresql=False)] == [SQLITE_PART, SQLITE_PART, 1]
    assert [len(p) for p in parts(values, postgresql=True)] == [len(values)]
    assert list(parts([], postgresql=True)) == [] and list(parts([], postgresql=False)) == []


async def test_among_finds_exactly_the_rows_holding_one_of_the_values(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    wanted = [f"c{i}" for i in range(0, 3000, 2)] + ["absent"]
    async with sessions() as session:
        pg = on_postgresql(session)
        assert pg is False
        found: set[int] = set()
        for part in parts(wanted, pg):
            found.update(await session.scalars(select(things.c.id).where(among(things.c.code, part, pg))))
    assert found == set(range(0, 3000, 2))
