"""Retention on PostgreSQL and SQLite: old published outbox rows and old inbox rows go, nothing else does,
and two replicas sweeping at once delete each row once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.messaging import retention
from accord_common.messaging.retention import RetentionPolicy, sweep
from accord_common.tables import add_infra_tables
from accord_common.testing.postgres import PostgresServer
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

metadata = new_metadata()
add_infra_tables(metadata)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
POLICY = RetentionPolicy(outbox_days=7, inbox_days=30)


@pytest.fixture(params=["postgresql", "sqlite"])
async def sessions(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = await server.create_database_async(f"ret_{uuid.uuid4().hex[:8]}")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'retention.db'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield make_session_factory(engine)
    await engine.dispose()


def outbox_row(label: str, created_days_ago: float, published_days_ago: float | None) -> dict[str, object]:
    return {
        "event_id": f"{label}-{uuid.uuid4().hex[:8]}",
        "topic": "contract.amended",
        "message_key": label,
        "payload": b"{}",
        "headers": {},
        "created_at": NOW - timedelta(days=created_days_ago),
        "published_at": None if published_days_ago is None else NOW - timedelta(days=published_days_ago),
    }


async def test_old_published_outbox_rows_and_old_inbox_rows_are_deleted_in_batches_by_two_replicas(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "_BATCH", 7)  # several batches per table
    outbox, inbox = metadata.tables["outbox"], metadata.tables["inbox"]
    rows = (
        [outbox_row("old-published", 40, 39) for _ in range(25)]
        + [outbox_row("recent-published", 3, 3) for _ in range(4)]
        + [outbox_row("just-inside", 7, 6.9) for _ in range(2)]
        + [outbox_row("old-unpublished", 90, None) for _ in range(3)]  # never deleted: not yet sent
    )
    inbox_rows = [
        {
            "event_id": f"e{i}",
            "consumer": consumer,
            "event_type": "claim.priced",
            "processed_at": NOW - timedelta(days=days),
        }
        for i, days in enumerate([45] * 30 + [29] * 5)
        for consumer in ("obligation-tracker", "notifier")
    ]
    async with sessions() as session, session.begin():
        await session.execute(insert(outbox), rows)
        await session.execute(insert(inbox), inbox_rows)

    first, second = await asyncio.gather(
        sweep(sessions, metadata, POLICY, NOW), sweep(sessions, metadata, POLICY, NOW)
    )

    assert first.outbox + second.outbox == 25
    assert first.inbox + second.inbox == 60
    async with sessions() as session:
        kept = sorted((await session.scalars(select(outbox.c.message_key))).all())
        kept_inbox = (await session.scalars(select(inbox.c.processed_at))).all()
    assert kept == ["just-inside"] * 2 + ["old-unpublished"] * 3 + ["recent-published"] * 4
    assert len(kept_inbox) == 10
    again = await sweep(sessions, metadata, POLICY, NOW)
    assert (again.outbox, again.inbox) == (0, 0)


def test_inbox_retention_must_outlive_the_broker_default() -> None:
    from accord_common.settings import ServiceSettings
    from pydantic import ValidationError

    assert ServiceSettings().inbox_retention_days == 30
    with pytest.raises(ValidationError, match="inbox_retention_days"):
        ServiceSettings(inbox_retention_days=3)


def test_published_outbox_rows_are_deleted_by_the_relay_unless_kept_some_days() -> None:
    from accord_common.settings import ServiceSettings
    from pydantic import ValidationError

    assert ServiceSettings().outbox_retention_days == 0  # the relay deletes what it publishes
    assert ServiceSettings(outbox_retention_days=7).outbox_retention_days == 7
    with pytest.raises(ValidationError, match="outbox_retention_days"):
        ServiceSettings(outbox_retention_days=-1)


async def test_with_nothing_kept_the_sweep_clears_rows_a_former_setting_kept(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Switching OUTBOX_RETENTION_DAYS from N to 0: the rows kept so far go at the next sweep, the
    unpublished stay."""
    outbox = metadata.tables["outbox"]
    async with sessions() as session, session.begin():
        await session.execute(
            insert(outbox),
            [outbox_row("kept", 2, 1), outbox_row("kept", 0.1, 0.01), outbox_row("waiting", 1, None)],
        )
    swept = await sweep(sessions, metadata, RetentionPolicy(outbox_days=0, inbox_days=30), NOW)
    assert swept.outbox == 2
    async with sessions() as session:
        assert (await session.scalars(select(outbox.c.message_key))).all() == ["waiting"]
