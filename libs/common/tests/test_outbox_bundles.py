"""Outbox rows of several events: a run of one topic and one trace becomes few rows, every event
comes back out with its own key and bytes in the order written, and a row cut short is refused."""

from __future__ import annotations

from typing import Any

import pytest
from accord_common.outbox_bundles import MAX_BYTES, MAX_EVENTS, OutboxEvent, bundled, events_of

HEADERS = {"content-type": "application/cloudevents+json; charset=UTF-8"}


def _row(
    n: int, topic: str = "claim.paid", headers: dict[str, str] | None = None, size: int = 40
) -> dict[str, Any]:
    return {
        "event_id": f"e-{n}",
        "topic": topic,
        "message_key": f"claim-{n}",
        "payload": (f'{{"n":{n}}}'.encode()).ljust(size, b" "),
        "headers": headers or HEADERS,
        "created_at": None,
    }


def _expand(rows: list[dict[str, Any]]) -> list[OutboxEvent]:
    return [e for r in rows for e in events_of(r["topic"], r["message_key"], r["payload"], r["event_count"])]


def test_a_run_of_one_topic_and_trace_is_one_row_and_comes_back_event_by_event() -> None:
    rows = [_row(n) for n in range(5)]
    (row,) = bundled(rows)
    assert (row["event_id"], row["message_key"], row["event_count"]) == ("e-0", "claim-0", 5)
    assert _expand([row]) == [
        OutboxEvent("claim.paid", r["message_key"].encode(), r["payload"]) for r in rows
    ]


def test_a_single_event_is_its_own_bytes() -> None:
    (row,) = bundled([_row(7)])
    assert (row["payload"], row["event_count"]) == (_row(7)["payload"], 1)
    assert _expand([row]) == [OutboxEvent("claim.paid", b"claim-7", _row(7)["payload"])]


def test_another_topic_or_trace_starts_a_new_row_and_order_is_kept() -> None:
    other_trace = {**HEADERS, "traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"}
    rows = [
        _row(0),
        _row(1),
        _row(2, topic="claim.variance_detected"),
        _row(3),
        _row(4, headers=other_trace),
        _row(5, headers=other_trace),
    ]
    made = bundled(rows)
    assert [(r["topic"], r["event_count"]) for r in made] == [
        ("claim.paid", 2),
        ("claim.variance_detected", 1),
        ("claim.paid", 1),
        ("claim.paid", 2),
    ]
    assert [e.key for e in _expand(made)] == [r["message_key"].encode() for r in rows]


def test_a_row_holds_at_most_max_events_and_about_max_bytes() -> None:
    many = bundled([_row(n) for n in range(2 * MAX_EVENTS + 1)])
    assert [r["event_count"] for r in many] == [MAX_EVENTS, MAX_EVENTS, 1]
    size = MAX_BYTES // 3 + 1  # three such events are over the bound: two a row
    large = bundled([_row(n, size=size) for n in range(5)])
    assert [r["event_count"] for r in large] == [2, 2, 1]
    assert all(len(r["payload"]) <= MAX_BYTES + 16 for r in large)
    huge = bundled([_row(0, size=MAX_BYTES + 1), _row(1)])  # larger than the bound: alone
    assert [r["event_count"] for r in huge] == [1, 1]


def test_keys_and_payloads_of_any_bytes_survive_the_framing() -> None:
    rows = [
        _row(0),
        {**_row(1), "message_key": "ünïcode/key", "payload": b"\x00\xff" * 3},
        {**_row(2), "payload": b""},
    ]
    assert [(e.key, e.payload) for e in _expand(bundled(rows))] == [
        (r["message_key"].encode(), r["payload"]) for r in rows
    ]


@pytest.mark.parametrize("cut", [1, 5, 13])
def test_a_row_cut_short_or_with_more_than_its_count_is_refused(cut: int) -> None:
    (row,) = bundled([_row(n) for n in range(3)])
    with pytest.raises(ValueError, match="cut short"):
        list(events_of(row["topic"], row["message_key"], row["payload"][:-cut], 3))
    with pytest.raises(ValueError, match="more than its 2 events"):
        list(events_of(row["topic"], row["message_key"], row["payload"], 2))
