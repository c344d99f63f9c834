"""The request guard on a real (SQLite) key table: expiry, revocation, failed-authentication log
without the key, 429 per key and per address with Retry-After, coalesced last use."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from accord_common.auth import KeyRefused, issue_key
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.errors import TooManyRequests
from accord_common.keys.guard import KeyGuard, RateLimits
from accord_common.keys.usage import flush_usage
from accord_common.tables import add_infra_tables
from accord_common.uow import UnitOfWork
from sqlalchemy import MetaData, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], MetaData]]:
    metadata = new_metadata()
    add_infra_tables(metadata)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield make_session_factory(engine), metadata
    await engine.dispose()


async def _issue(sessions: async_sessionmaker[AsyncSession], metadata: MetaData, **values: object) -> str:
    async with sessions() as session, session.begin():
        raw = await issue_key(session, metadata, organization_id="org-a", name="Dana", scopes={"claims:read"})
        if values:
            table = metadata.tables["api_keys"]
            await session.execute(update(table).values(**values))
    return raw


async def test_a_valid_key_is_admitted_and_its_use_noted(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await _issue(sessions, metadata)
    guard = KeyGuard(sessions, metadata, RateLimits())
    principal = await guard.admit(raw, "10.0.0.1")
    assert (principal.organization_id, principal.scopes) == ("org-a", frozenset({"claims:read"}))
    assert [use.key_id for use in guard.usage.drain()] == [principal.key_id]


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ({"revoked_at": datetime(2026, 1, 1, tzinfo=UTC)}, "revoked key"),
        ({"expires_at": datetime.now(UTC) - timedelta(seconds=1)}, "expired key"),
    ],
)
async def test_revoked_and_expired_keys_are_refused_and_logged_without_the_key(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
    caplog: pytest.LogCaptureFixture,
    state: dict[str, object],
    reason: str,
) -> None:
    sessions, metadata = db
    raw = await _issue(sessions, metadata, **state)
    guard = KeyGuard(sessions, metadata, RateLimits())
    with caplog.at_level(logging.WARNING, "accord.auth"), pytest.raises(KeyRefused) as refused:
        await guard.admit(raw, "10.0.0.2")
    assert refused.value.status == 401
    record = next(r for r in caplog.records if r.getMessage() == "authentication failed")
    assert reason in record.__dict__["reason"]
    assert record.__dict__["key_prefix"] == raw.split("_")[1]
    assert raw not in caplog.text and raw.split("_", 2)[2] not in caplog.text


async def test_a_key_expiring_later_still_works(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await _issue(sessions, metadata, expires_at=datetime.now(UTC) + timedelta(hours=1))
    assert (await KeyGuard(sessions, metadata, RateLimits()).admit(raw, "a")).name == "Dana"


async def test_wrong_secret_and_unknown_prefix_are_refused(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await _issue(sessions, metadata)
    guard = KeyGuard(sessions, metadata, RateLimits())
    for wrong, reason in [(raw[:-4] + "AAAA", "wrong secret"), ("acc_ffffffffffff_nope", "unknown key")]:
        with pytest.raises(KeyRefused) as refused:
            await guard.admit(wrong, "a")
        assert refused.value.reason == reason


async def test_a_key_over_its_limit_gets_429_with_retry_after(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await _issue(sessions, metadata, rate_limit_per_minute=3)
    clock = Clock()
    guard = KeyGuard(sessions, metadata, RateLimits(per_key_per_minute=1000), clock)
    for _ in range(3):
        await guard.admit(raw, "a")
    with pytest.raises(TooManyRequests) as limited:
        await guard.admit(raw, "a")
    assert (limited.value.status, limited.value.headers) == (429, {"Retry-After": "20"})
    clock.now = 20
    await guard.admit(raw, "a")


async def test_the_service_default_applies_to_a_key_without_its_own_limit(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await _issue(sessions, metadata)
    guard = KeyGuard(sessions, metadata, RateLimits(per_key_per_minute=2), Clock())
    await guard.admit(raw, "a")
    await guard.admit(raw, "a")
    with pytest.raises(TooManyRequests, match="2 requests a minute; retry in 30 seconds"):
        await guard.admit(raw, "a")


async def test_an_address_failing_too_often_is_refused_before_any_lookup(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await _issue(sessions, metadata)
    guard = KeyGuard(sessions, metadata, RateLimits(failed_per_address_per_minute=4), Clock())
    for _ in range(4):
        with pytest.raises(KeyRefused):
            await guard.admit("acc_000000000000_guess", "203.0.113.9")
    with pytest.raises(TooManyRequests) as limited:
        await guard.admit(raw, "203.0.113.9")  # even a good key, from that address, for 15 s
    assert limited.value.headers == {"Retry-After": "15"}
    assert (await guard.admit(raw, "198.51.100.1")).name == "Dana"  # other addresses unaffected


async def test_last_use_is_written_once_per_flush_and_never_moves_back(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await _issue(sessions, metadata)
    guard = KeyGuard(sessions, metadata, RateLimits())
    for _ in range(50):
        key_id = (await guard.admit(raw, "a")).key_id
    uses = guard.usage.drain()
    assert len(uses) == 1  # fifty requests, one write
    await flush_usage(UnitOfWork(sessions, metadata), uses, "test", publish=False)
    older = [type(uses[0])(key_id, "org-a", uses[0].at - timedelta(minutes=5))]
    await flush_usage(UnitOfWork(sessions, metadata), older, "test", publish=False)
    table = metadata.tables["api_keys"]
    async with sessions() as session:
        stored = await session.scalar(select(table.c.last_used_at))
    assert stored is not None and stored.replace(tzinfo=UTC) == uses[0].at
