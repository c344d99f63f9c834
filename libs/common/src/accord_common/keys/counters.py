"""Where the guard counts requests: in the process (SQLite: one process) or in the database
(PostgreSQL: every worker and replica of the service counts in one row a key and minute).

`InProcessCounters` keeps token buckets (`RateLimiter`). `DatabaseCounters` keeps fixed one-minute
windows in the `rate_limit_hits` table: one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` a request
(atomic, no lock held past the statement's transaction), so N workers together admit `per_minute`
requests a window, not N times that. A window is the wall-clock minute; at its end the count starts
again (a client may send up to twice the limit across a minute boundary, never more)."""

from __future__ import annotations

import math
from typing import Protocol

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from accord_common.keys.ratelimit import RateLimiter

WINDOW_S = 60


class Counters(Protocol):
    async def wait_s(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        """Seconds until `name` may make one more request (0: now), counting nothing."""

    async def take(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        """Count one request: 0 when it is within the limit, else the seconds to wait."""


class InProcessCounters:
    """Token buckets in this process's memory (the session is not used)."""

    def __init__(self) -> None:
        self._limiter = RateLimiter()

    async def wait_s(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        return self._limiter.wait_s(name, per_minute, now)

    async def take(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        return self._limiter.take(name, per_minute, now)


class DatabaseCounters:
    """Fixed one-minute windows counted in the service's PostgreSQL database, shared by its workers.
    The caller commits the session (the count is one row lock held until then)."""

    def __init__(self, table: Table) -> None:
        self._table = table
        self._swept_window = 0

    async def wait_s(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        t = self._table
        window = _window(now)
        hits = await session.scalar(select(t.c.hits).where(t.c.name == name, t.c.window_start == window))
        return _wait(now) if (hits or 0) >= per_minute else 0

    async def take(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        t = self._table
        window = _window(now)
        await self._sweep(session, window)
        counted = (
            insert(t)
            .values(name=name, window_start=window, hits=1)
            .on_conflict_do_update(index_elements=[t.c.name, t.c.window_start], set_={"hits": t.c.hits + 1})
            .returning(t.c.hits)
        )
        hits = int((await session.execute(counted)).scalar_one())
        return _wait(now) if hits > per_minute else 0

    async def _sweep(self, session: AsyncSession, window: int) -> None:
        """Once a window per process, drop the windows before the previous one (they decide nothing)."""
        if window != self._swept_window:
            self._swept_window = window
            await session.execute(delete(self._table).where(self._table.c.window_start < window - WINDOW_S))


def _window(now: float) -> int:
    return int(now // WINDOW_S) * WINDOW_S


def _wait(now: float) -> int:
    """Seconds until the next window opens (at least 1)."""
    return max(1, math.ceil(_window(now) + WINDOW_S - now))
