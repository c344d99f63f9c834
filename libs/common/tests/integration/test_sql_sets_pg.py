"""On PostgreSQL `among` is `= ANY(array)`: one statement whatever the number of values, the same
rows as an IN list; reads that could take another index are planned for their own values (a
generic plan for an array of unknown length scanned an organisation's rows), and only they."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent
from accord_common.messaging.batch import apply_run
from accord_common.sql_sets import among, on_postgresql, parts, planned_for_their_values
from accord_common.tables import add_infra_tables
from accord_common.testing.events import ScriptedRecord
from accord_common.testing.events import contract_amended as amended
from accord_common.testing.postgres import PostgresServer
from accord_common.uow import UnitOfWork
from sqlalchemy import Column, Integer, String, Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

metadata = new_metadata()
add_infra_tables(metadata)
things = Table("sets_things", metadata, Column("id", Integer, primary_key=True), Column("code", String(10)))


@pytest.fixture
async def sessions(postgres_server: PostgresServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = await postgres_server.create_database_async(f"sets_{uuid.uuid4().hex[:8]}")
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(insert(things), [{"id": i, "code": f"c{i}"} for i in range(5000)])
    yield make_session_factory(engine)
    await engine.dispose()


async def test_any_of_an_array_finds_what_an_in_list_finds(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        pg = on_postgresql(session)
        assert pg is True
        for wanted in (
            [f"c{i}" for i in range(0, 5000, 3)] + ["absent"],
            ["c7"],
            [f"c{i}" for i in range(40)],
        ):
            [part] = list(parts(wanted, pg))  # one array, however many values
            query = select(things.c.id).where(among(things.c.code, part, pg))
            assert "= ANY" in str(query.compile(dialect=session.get_bind().dialect))
            in_list = set(await session.scalars(select(things.c.id).where(things.c.code.in_(wanted))))
            assert set(await session.scalars(query)) == in_list and in_list


async def test_reads_inside_are_planned_for_their_values_and_only_they(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    show = text("SHOW plan_cache_mode")
    async with sessions() as session, session.begin():
        async with planned_for_their_values(session):
            inside = await session.scalar(show)
        after = await session.scalar(show)  # the same transaction: back to the default
    assert (inside, after) == ("force_custom_plan", "auto")


async def test_a_consumer_run_checks_its_inbox_by_array_without_changing_plans(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    modes: list[str] = []

    async def handler(event: CloudEvent, uow: UnitOfWork) -> None:
        modes.append(str(await uow.session.scalar(text("SHOW plan_cache_mode"))))

    contract = str(uuid.uuid4())
    records = [ScriptedRecord(amended(contract, v).to_bytes(), v) for v in range(1, 4)]
    run = lambda: UnitOfWork(sessions, metadata)  # noqa: E731
    assert (await apply_run("tracker", records, {"contract.amended": handler}, run)).applied == 3
    assert (await apply_run("tracker", records, {"contract.amended": handler}, run)).duplicates == 3
    assert modes == ["auto"] * 3  # a run's own statements keep their plans (see sql_sets)
