"""The per-process cache of verified keys and of addresses found not blocked: TTL, the key's own
expiry, the bound, emptying; and the guard using it (a revoked key is refused once the TTL passed,
a refused key is never cached). SQLite key table; the PostgreSQL side (two workers, the wake-up on a
key change) is in integration/test_key_cache_pg.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from accord_common.auth import KeyRefused, Principal, issue_key
from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.errors import TooManyRequests
from accord_common.keys.cache import ClearAddresses, VerifiedKeys
from accord_common.keys.counters import DatabaseCounters
from accord_common.keys.guard import KeyGuard, RateLimits
from accord_common.tables import add_infra_tables
from sqlalchemy import MetaData, Table, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

KEY = "acc_0123456789ab_" + "s" * 43
DANA = Principal("k1", "org-a", "Dana", frozenset({"claims:read"}))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("seconds_later", "cached"),
    [(0.0, True), (4.9, True), (5.0, False), (60.0, False)],
)
def test_a_verified_key_is_reused_for_the_ttl_only(seconds_later: float, cached: bool) -> None:
    clock = Clock()
    keys = VerifiedKeys(ttl_s=5.0, clock=clock)
    keys.put(KEY, DANA)
    clock.now += seconds_later
    assert (keys.get(KEY) == DANA) is cached


def test_a_cached_key_is_not_used_past_its_own_expiry() -> None:
    keys = VerifiedKeys(ttl_s=5.0)
    keys.put(KEY, Principal("k1", "org-a", "Dana", frozenset(), expires_at=datetime.now(UTC)))
    assert keys.get(KEY) is None and len(keys) == 0


def test_only_the_exact_key_matches_and_the_cache_is_bounded_and_emptied() -> None:
    keys = VerifiedKeys(ttl_s=5.0, max_entries=2)
    keys.put(KEY, DANA)
    assert keys.get(KEY[:-1] + "t") is None  # another secret under the same prefix
    keys.put("acc_b_1", DANA)
    keys.put("acc_c_1", DANA)
    assert (len(keys), keys.get(KEY)) == (2, None)  # the oldest went first
    keys.clear()
    assert keys.get("acc_c_1") is None


def test_a_ttl_of_zero_turns_the_cache_off() -> None:
    keys = VerifiedKeys(ttl_s=0)
    keys.put(KEY, DANA)
    assert keys.get(KEY) is None


def test_an_address_is_fresh_for_the_ttl_and_forgotten_on_a_failure() -> None:
    clock = Clock()
    addresses = ClearAddresses(ttl_s=5.0, clock=clock)
    assert not addresses.fresh("10.0.0.1")
    addresses.mark("10.0.0.1")
    clock.now += 4.9
    assert addresses.fresh("10.0.0.1")
    addresses.forget("10.0.0.1")
    assert not addresses.fresh("10.0.0.1")
    addresses.mark("10.0.0.1")
    clock.now += 5.0
    assert not addresses.fresh("10.0.0.1")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], MetaData]]:
    metadata = new_metadata()
    add_infra_tables(metadata)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield make_session_factory(engine), metadata
    await engine.dispose()


async def dana_key(db: tuple[async_sessionmaker[AsyncSession], MetaData]) -> str:
    """A key issued to Dana of org-a (claims:read): the raw key."""
    sessions, metadata = db
    async with sessions() as session, session.begin():
        return await issue_key(
            session, metadata, organization_id="org-a", name="Dana", scopes={"claims:read"}
        )


async def test_the_guard_refuses_a_revoked_key_once_the_ttl_has_passed(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await dana_key(db)
    guard = KeyGuard(sessions, metadata, RateLimits())
    clock = Clock()
    guard.verified.clock = clock
    assert (await guard.admit(raw, "a")).name == "Dana"  # verified in the database, cached
    async with sessions() as session, session.begin():  # revoked behind the cache's back
        await session.execute(update(metadata.tables["api_keys"]).values(revoked_at=datetime.now(UTC)))
    clock.now += 4.9
    assert (await guard.admit(raw, "a")).name == "Dana"  # within the 5 s TTL: the cached key
    clock.now += 0.1
    with pytest.raises(KeyRefused, match="revoked"):
        await guard.admit(raw, "a")
    with pytest.raises(KeyRefused):  # and it stays refused: a failure is never cached
        await guard.admit(raw, "a")


async def test_a_refused_key_is_counted_against_its_address_every_time(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await dana_key(db)
    guard = KeyGuard(sessions, metadata, RateLimits(failed_per_address_per_minute=3), Clock())
    await guard.admit(raw, "203.0.113.9")  # the address is noted as not blocked, the key cached
    for _ in range(3):
        with pytest.raises(KeyRefused):
            await guard.admit("acc_000000000000_guess", "203.0.113.9")
    with pytest.raises(TooManyRequests):  # the failures here forgot the note: even the cached key waits
        await guard.admit(raw, "203.0.113.9")
    assert len(guard.verified) == 1 and guard.verified.get(raw) is not None


async def test_a_key_expiring_while_cached_is_refused_at_its_expiry(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await dana_key(db)
    soon = datetime.now(UTC) + timedelta(milliseconds=300)
    async with sessions() as session, session.begin():
        await session.execute(update(metadata.tables["api_keys"]).values(expires_at=soon))
    guard = KeyGuard(sessions, metadata, RateLimits())
    assert (await guard.admit(raw, "a")).expires_at == soon  # cached for 5 s, but the key ends sooner
    await asyncio.sleep((soon - datetime.now(UTC)).total_seconds() + 0.05)
    with pytest.raises(KeyRefused, match="expired"):
        await guard.admit(raw, "a")


class WindowInMemory(DatabaseCounters):
    """`DatabaseCounters` with its one statement (add to the window's row, read it back) answered
    from a dict: the reservation logic is the real one."""

    def __init__(self, table: Table) -> None:
        super().__init__(table)  # the sweep of old windows runs on the real table
        self.rows: dict[tuple[str, int], int] = {}

    async def _add(self, session: AsyncSession, name: str, window: int, hits: int) -> int:
        self.rows[(name, window)] = self.rows.get((name, window), 0) + hits
        return self.rows[(name, window)]


class CountedSessions:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions, self.opened = sessions, 0

    def __call__(self) -> AsyncSession:
        self.opened += 1
        return self.sessions()


@pytest.mark.parametrize(
    ("per_minute", "requests", "sessions_opened", "counted"),
    [
        (1_000, 25, 3, 30),  # slices of 10: the 1st, 11th and 21st request reserve one
        (150, 5, 5, 5),  # a limit under 200 is counted request by request
    ],
)
async def test_a_busy_key_is_admitted_from_its_reserved_slice_without_a_session(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
    per_minute: int,
    requests: int,
    sessions_opened: int,
    counted: int,
) -> None:
    sessions, metadata = db
    raw = await dana_key(db)
    counters, opened = WindowInMemory(metadata.tables["rate_limit_hits"]), CountedSessions(sessions)
    guard = KeyGuard(opened, metadata, RateLimits(per_key_per_minute=per_minute), Clock(), counters)  # type: ignore[arg-type]
    for _ in range(requests):
        assert (await guard.admit(raw, "a")).name == "Dana"
    assert opened.opened == sessions_opened
    assert sum(counters.rows.values()) == counted


async def test_in_one_process_a_known_key_is_counted_in_memory_without_a_session(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    """SQLite (one process) counts in memory: once the key is verified, a request opens no session
    (each one used to open and commit one to count in memory), and the limit still holds."""
    sessions, metadata = db
    raw = await dana_key(db)
    opened, clock = CountedSessions(sessions), Clock()
    guard = KeyGuard(opened, metadata, RateLimits(per_key_per_minute=5), clock)  # type: ignore[arg-type]
    for _ in range(5):
        assert (await guard.admit(raw, "a")).name == "Dana"
    assert opened.opened == 1  # the first request: the key looked up
    with pytest.raises(TooManyRequests) as limited:
        await guard.admit(raw, "a")
    assert limited.value.headers == {"Retry-After": "12"}
    clock.now += 12
    assert (await guard.admit(raw, "a")).name == "Dana"


async def test_a_reserved_slice_is_not_used_once_its_window_ended(
    db: tuple[async_sessionmaker[AsyncSession], MetaData],
) -> None:
    sessions, metadata = db
    raw = await dana_key(db)
    clock, counters = Clock(), WindowInMemory(metadata.tables["rate_limit_hits"])
    clock.now = 120.0  # a window's first second
    guard = KeyGuard(sessions, metadata, RateLimits(per_key_per_minute=1_000), clock, counters)
    guard.verified.clock = guard.clear_addresses.clock = lambda: 0.0  # the caches stay fresh
    await guard.admit(raw, "a")
    clock.now = 180.0  # the next window: the 9 requests left of the slice are not admitted from it
    await guard.admit(raw, "a")
    assert sorted((window, hits) for (_, window), hits in counters.rows.items()) == [(120, 10), (180, 10)]
