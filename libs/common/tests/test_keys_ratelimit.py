"""Token buckets per key / address: figures checkable by hand (N a minute = one every 60/N seconds)."""

from __future__ import annotations

import pytest
from accord_common.keys.ratelimit import RateLimiter


@pytest.mark.parametrize(
    ("per_minute", "requests_at", "waits"),
    [
        # 5 a minute: a burst of 5 passes, the 6th waits 12 s (one token every 12 s)
        (5, [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 12]),
        # ... 6 s later half a token is back: still 6 s to wait; at 12 s one request passes
        (5, [0, 0, 0, 0, 0, 6, 12, 12], [0, 0, 0, 0, 0, 6, 0, 12]),
        # 60 a minute = one a second: after the burst, 0.5 s later the wait rounds up to 1 s
        (60, [0] * 60 + [0.5, 1.0], [0] * 60 + [1, 0]),
        # 1 a minute: the second request waits the full minute
        (1, [0, 0, 30, 60], [0, 60, 30, 0]),
    ],
)
def test_a_bucket_admits_a_minutes_worth_then_one_per_interval(
    per_minute: int, requests_at: list[float], waits: list[int]
) -> None:
    limiter = RateLimiter()
    assert [limiter.take("key-1", per_minute, at) for at in requests_at] == waits


def test_buckets_are_independent_and_a_refused_request_spends_nothing() -> None:
    limiter = RateLimiter()
    assert [limiter.take("a", 2, 0) for _ in range(3)] == [0, 0, 30]
    assert limiter.take("b", 2, 0) == 0
    assert limiter.take("a", 2, 29) == 1  # the refused third request did not push the wait out
    assert limiter.take("a", 2, 30) == 0


def test_wait_s_does_not_spend() -> None:
    limiter = RateLimiter()
    assert [limiter.wait_s("x", 1, 0) for _ in range(3)] == [0, 0, 0]
    assert limiter.take("x", 1, 0) == 0
    assert limiter.wait_s("x", 1, 15) == 45


def test_memory_is_bounded() -> None:
    limiter = RateLimiter(max_buckets=100)
    for i in range(1000):
        limiter.take(f"address-{i}", 10, float(i))
    assert len(limiter._buckets) <= 100
