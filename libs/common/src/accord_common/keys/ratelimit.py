"""Token buckets in memory, one per key or client address: `per_minute` requests a minute, bursts
up to a minute's worth. Per process (each replica counts its own), which bounds cost without a
shared store on the request path."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`take` spends one token or says how many seconds until one is there; time is passed in."""

    def __init__(self, max_buckets: int = 100_000) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._max_buckets = max_buckets

    def wait_s(self, name: str, per_minute: int, now: float) -> int:
        """Seconds until `name` may spend a token (0: now), without spending it."""
        bucket = self._refilled(name, per_minute, now)
        if bucket.tokens >= 1:
            return 0
        return max(1, math.ceil((1 - bucket.tokens) * 60 / per_minute))

    def take(self, name: str, per_minute: int, now: float) -> int:
        """Spend a token: 0 when there was one, else the seconds to wait (nothing is spent)."""
        wait = self.wait_s(name, per_minute, now)
        if wait == 0:
            self._buckets[name].tokens -= 1
        return wait

    def _refilled(self, name: str, per_minute: int, now: float) -> _Bucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            if len(self._buckets) >= self._max_buckets:
                self._forget_full(per_minute, now)
            bucket = self._buckets[name] = _Bucket(float(per_minute), now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(per_minute), bucket.tokens + elapsed * per_minute / 60)
        bucket.updated = now
        return bucket

    def _forget_full(self, per_minute: int, now: float) -> None:
        """A full bucket says nothing a new one would not: drop those idle for a minute (memory bound)."""
        idle = [name for name, b in self._buckets.items() if now - b.updated >= 60]
        for name in idle or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[name]
