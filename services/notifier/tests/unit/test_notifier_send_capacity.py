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


PACED = SendCapacity(total=32, per_endpoint=2, per_endpoint_max=8, fast_answer_ms=1000)


@pytest.mark.parametrize(
    ("share", "status_code", "latency_ms", "after"),
    [
        (2, 204, 40, 3),  # a quick 2xx earns one slot
        (7, 200, 1000, 8),  # exactly the threshold is quick
        (8, 204, 5, 8),  # never above the ceiling
        (8, 204, 1001, 4),  # a slow answer halves it
        (8, 500, 5, 4),  # so does an error
        (6, 429, 5, 3),  # and a "too many requests"
        (5, None, 30_000, 2),  # and no answer at all
        (3, 503, 5, 2),  # never below per_endpoint
        (2, 410, 5, 2),
    ],
)
def test_a_share_grows_by_one_with_quick_answers_and_halves_on_anything_else(
    share: int, status_code: int | None, latency_ms: int, after: int
) -> None:
    assert PACED.after_answer(share, status_code, latency_ms) == after


def test_an_endpoint_may_use_the_share_it_earned() -> None:
    due = [(f"d{n}", "fast") for n in range(10)] + [("m1", "mail")]
    earned = {"fast": 5}
    assert PACED.choose(due, {"fast": 1}, earned) == ["d0", "d1", "d2", "d3", "m1"]
    assert PACED.full({"fast": 5, "mail": 2}, earned) == frozenset({"fast", "mail"})
    assert PACED.full({"fast": 4}, earned) == frozenset()
    assert PACED.share("fast", {"fast": 50}) == 8 and PACED.share("new") == 2
    assert POOL.after_answer(2, 204, 5) == 2  # without a ceiling above per_endpoint, nothing is earned
