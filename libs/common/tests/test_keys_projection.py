"""The key projection on a real (SQLite) table: api_key.* events in any order leave the newest state;
a CLI-stored copy of the same key takes the registry's revocation; another key's prefix is untouched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from accord_common.auth import KeyRefused, authenticate, hash_key, issue_key
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events.payloads import ApiKeyData, ApiKeyUsageData
from accord_common.keys.projection import apply_key, record_use
from accord_common.tables import add_infra_tables
from accord_common.uow import UnitOfWork
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

RAW = "acc_a1b2c3d4e5f6_the-secret-part-of-the-key"
ISSUED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REVOKED = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def key(revision: int, **changes: Any) -> ApiKeyData:
    return ApiKeyData(
        key_id="k1",
        organization_id="org-a",
        name="Dana Lee",
        prefix="a1b2c3d4e5f6",
        key_hash=hash_key(RAW),
        scopes=["claims:read"],
        holder_id="k1",
        issued_at=ISSUED,
        revision=revision,
        **changes,
    )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], MetaData]]:
    metadata = new_metadata()
    add_infra_tables(metadata)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield make_session_factory(engine), metadata
    await engine.dispose()


async def _apply(db: tuple[async_sessionmaker[AsyncSession], MetaData], *events: ApiKeyData) -> None:
    sessions, metadata = db
    for event in events:
        async with UnitOfWork(sessions, metadata) as uow:
            await apply_key(uow, event)
            await uow.commit()


async def _login(db: tuple[async_sessionmaker[AsyncSession], MetaData]) -> str:
    sessions, metadata = db
    async with sessions() as session:
        try:
            return (await authenticate(session, metadata, RAW)).key_id
        except KeyRefused as refused:
            return refused.reason


@pytest.mark.parametrize(
    ("order", "outcome"),
    [
        (["issued"], "k1"),
        (["issued", "revoked"], "revoked key k1"),
        (["revoked", "issued"], "revoked key k1"),  # topics are not ordered among themselves
        (["issued", "revoked", "revoked"], "revoked key k1"),  # redelivery
    ],
)
async def test_the_newest_revision_wins_whatever_the_order(
    db: tuple[async_sessionmaker[AsyncSession], MetaData], order: list[str], outcome: str
) -> None:
    events = {"issued": key(1), "revoked": key(2, revoked_at=REVOKED)}
    await _apply(db, *(events[name] for name in order))
    assert await _login(db) == outcome


async def test_a_cli_stored_copy_of_the_same_key_takes_the_revocation(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    async with sessions() as session, session.begin():
        await issue_key(
            session, metadata, organization_id="org-a", name="Dana", scopes={"claims:read"}, raw_key=RAW
        )
    local_id = await _login(db)
    await _apply(db, key(2, revoked_at=REVOKED))
    assert await _login(db) == f"revoked key {local_id}"


async def test_another_keys_prefix_is_left_alone(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    async with sessions() as session, session.begin():
        await issue_key(
            session, metadata, organization_id="org-a", name="Dana", scopes={"claims:read"}, raw_key=RAW
        )
    local_id = await _login(db)
    await _apply(db, key(1, revoked_at=REVOKED).model_copy(update={"key_hash": "f" * 64}))
    assert await _login(db) == local_id  # still admitted: the event was another key's


async def test_last_use_keeps_the_latest_report(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    await _apply(db, key(1))
    for at in [datetime(2026, 12, 2, 9, 5, tzinfo=UTC), datetime(2026, 12, 2, 9, 1, tzinfo=UTC)]:
        async with UnitOfWork(sessions, metadata) as uow:
            await record_use(
                uow, ApiKeyUsageData(key_id="k1", organization_id="org-a", service="engine", last_used_at=at)
            )
            await uow.commit()
    async with sessions() as session:
        stored = await session.scalar(select(metadata.tables["api_keys"].c.last_used_at))
    assert stored is not None and stored.replace(tzinfo=UTC) == datetime(2026, 12, 2, 9, 5, tzinfo=UTC)
