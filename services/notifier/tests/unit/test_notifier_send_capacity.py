"""How many sends may start: the pool and each endpoint's share of it."""

from __future__ import annotations

import pytest
from notifier.domain import SendCapacity

POOL = SendCapacity(total=4, per_endpoint=2)


@pytest.mark.parametrize(
    ("due", "busy", "chosen"),
    [
        # a backlog of one endpoint takes its share only; the others' deliveries still start
        (
            [("d1", "slow"), ("d2", "slow"), ("d3", "slow"), ("d4", "fast"), ("d5", "mail")],
            {},
            ["d1", "d2", "d4", "d5"],
        ),
        # an endpoint already at its share starts nothing more
        ([("d1", "slow"), ("d2", "fast")], {"slow": 2}, ["d2"]),
        # one slot of its share left
        ([("d1", "slow"), ("d2", "slow")], {"slow": 1}, ["d1"]),
        # the pool is nearly full: the oldest due first
        ([("d1", "a"), ("d2", "b"), ("d3", "c")], {"x": 2, "y": 1}, ["d1"]),
        # the pool is full
        ([("d1", "a")], {"x": 2, "y": 2}, []),
        ([], {}, []),
    ],
)
def test_what_may_start_now(due: list[tuple[str, str]], busy: dict[str, int], chosen: list[str]) -> None:
    assert POOL.choose(due, busy) == chosen


def test_free_slots_and_full_endpoints() -> None:
    busy = {"slow": 2, "fast": 1}
    assert POOL.free(busy) == 1
    assert POOL.full(busy) == frozenset({"slow"})
    assert POOL.free({"a": 2, "b": 2, "c": 1}) == 0  # never below nothing


@pytest.mark.parametrize(("total", "per_endpoint"), [(0, 1), (1, 0)])
def test_a_pool_without_slots_is_refused(total: int, per_endpoint: int) -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        SendCapacity(total, per_endpoint)
