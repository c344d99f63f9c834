"""Where the guard counts requests: in the process (SQLite: one process) or in the database
(PostgreSQL: every worker and replica of the service counts in one row a key and minute).

`InProcessCounters` keeps token buckets (`RateLimiter`). `DatabaseCounters` keeps fixed one-minute
windows in the `rate_limit_hits` table: one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` a request
(atomic, no lock held past the statement's transaction), so N workers together admit `per_minute`
requests a window, not N times that. A window is the wall-clock minute; at its end the count starts
again (a client may send up to twice the limit across a minute boundary, never more).

A key's count (`take(..., batch=True)`) is reserved a slice at a time: a worker adds
`max(1, per_minute // 100)` to the window's row at once and admits that many requests from memory
before it asks again (one request at a time asks; the others in flight wait for its slice), so a
busy key costs one statement per slice, not per request. The row is only
ever added to, and a worker admits no more than the row granted it, so together the workers still
admit at most `per_minute` a window; what a worker reserved and did not use by the window's end (at
most one slice less one, per worker) is refused to the others. A limit under 200 has slices of one:
counted request by request, as before. Failed authentications are always counted one by one."""

from __future__ import annotations

import asyncio
import math
from typing import Protocol

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from accord_common.keys.ratelimit import RateLimiter

WINDOW_S = 60


SLICES_PER_WINDOW = 100


class Counters(Protocol):
    async def wait_s(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        """Seconds until `name` may make one more request (0: now), counting nothing."""

    async def take(
        self, session: AsyncSession, name: str, per_minute: int, now: float, *, batch: bool = False
    ) -> int:
        """Count one request: 0 when it is within the limit, else the seconds to wait. `batch`: the
        count may be reserved ahead a slice at a time (never admitting more than the limit)."""

    def take_reserved(self, name: str, per_minute: int, now: float) -> bool:
        """Count one request against what this process reserved for `name` in the current window,
        without the database: True when admitted so, False when `take` must decide."""


class InProcessCounters:
    """Token buckets in this process's memory (the session is not used)."""

    def __init__(self) -> None:
        self._limiter = RateLimiter()

    async def wait_s(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        return self._limiter.wait_s(name, per_minute, now)

    async def take(
        self, session: AsyncSession, name: str, per_minute: int, now: float, *, batch: bool = False
    ) -> int:
        return self._limiter.take(name, per_minute, now)

    def take_reserved(self, name: str, per_minute: int, now: float) -> bool:
        """The bucket is in memory already: a token spent here needs no session (a refusal is left to
        `take`, which says how long to wait and spends nothing)."""
        return self._limiter.take(name, per_minute, now) == 0


class DatabaseCounters:
    """Fixed one-minute windows counted in the service's PostgreSQL database, shared by its workers.
    The caller commits the session (the count is one row lock held until then)."""

    def __init__(self, table: Table) -> None:
        self._table = table
        self._swept_window = 0
        self._reserved: dict[str, tuple[int, int]] = {}  # name -> (window, requests still admitted)
        self._reserving: dict[str, asyncio.Lock] = {}

    async def wait_s(self, session: AsyncSession, name: str, per_minute: int, now: float) -> int:
        t = self._table
        window = _window(now)
        hits = await session.scalar(select(t.c.hits).where(t.c.name == name, t.c.window_start == window))
        return _wait(now) if (hits or 0) >= per_minute else 0

    async def take(
        self, session: AsyncSession, name: str, per_minute: int, now: float, *, batch: bool = False
    ) -> int:
        if self.take_reserved(name, per_minute, now):
            return 0
        if not batch:
            return await self._reserve(session, name, per_minute, now, 1)
        # one reservation at a time a name: the requests that found nothing reserved while it was
        # made take from it (each used to reserve a slice of its own, overwriting the others': at
        # 16 requests in flight a 1,000,000-a-minute key was refused at 200,000 a minute)
        async with self._reserving.setdefault(name, asyncio.Lock()):
            if self.take_reserved(name, per_minute, now):
                return 0
            return await self._reserve(
                session, name, per_minute, now, max(1, per_minute // SLICES_PER_WINDOW)
            )

    async def _reserve(
        self, session: AsyncSession, name: str, per_minute: int, now: float, slice_: int
    ) -> int:
        window = _window(now)
        hits = await self._add(session, name, window, slice_)
        granted = min(slice_, per_minute - (hits - slice_))
        if granted <= 0:
            self._reserved.pop(name, None)
            return _wait(now)
        if granted > 1:
            self._reserved[name] = (window, granted - 1)
        else:
            self._reserved.pop(name, None)
        return 0

    def take_reserved(self, name: str, per_minute: int, now: float) -> bool:
        window = _window(now)
        held_window, left = self._reserved.get(name, (window, 0))
        if held_window == window and left > 0:
            self._reserved[name] = (window, left - 1)
            return True
        return False

    async def _add(self, session: AsyncSession, name: str, window: int, hits: int) -> int:
        """Add `hits` to the window's row (made at need): the row's count after, atomically."""
        t = self._table
        await self._sweep(session, window)
        counted = (
            insert(t)
            .values(name=name, window_start=window, hits=hits)
            .on_conflict_do_update(
                index_elements=[t.c.name, t.c.window_start], set_={"hits": t.c.hits + hits}
            )
            .returning(t.c.hits)
        )
        return int((await session.execute(counted)).scalar_one())

    async def _sweep(self, session: AsyncSession, window: int) -> None:
        """Once a window per process, drop the windows before the previous one (they decide nothing)."""
        if window != self._swept_window:
            self._swept_window = window
            self._reserved = {name: held for name, held in self._reserved.items() if held[0] == window}
            await session.execute(delete(self._table).where(self._table.c.window_start < window - WINDOW_S))


def _window(now: float) -> int:
    return int(now // WINDOW_S) * WINDOW_S


def _wait(now: float) -> int:
    """Seconds until the next window opens (at least 1)."""
    return max(1, math.ceil(_window(now) + WINDOW_S - now))
