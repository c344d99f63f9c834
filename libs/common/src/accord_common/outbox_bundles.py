"""Several events in one outbox row: what a unit of work writes and the relay reads back.

A unit of work that records a run of events of one type in one trace (a chunk of an 835's
claim.paid, a fetched run's obligation changes) writes them as few rows, not a row each: a row costs
the database an entry in each of the table's indexes, a tuple to read back and one to delete, and a
row each was a tenth of the CPU of a 10,000-claim 835 reconciled end to end (docs/benchmarks.md).
The relay sends every event of a row as its own Kafka record, with its own key, in the order
written, so consumers see exactly the records a row each gave: same keys, partitions, order, bytes.

A bundled row's payload is its events framed one after the other: the key's length (4 bytes, big
endian), the key, the event's length (4 bytes), the event (its CloudEvent JSON). `event_count` says
how many; a row of one event holds that event's JSON as it is. The row's `event_id` and
`message_key` are its first event's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

# a row holds at most this many events and about this many bytes: a relay pass reads up to its
# batch of events (1,000) whatever the rows, so a row must stay well under it
MAX_EVENTS = 500
MAX_BYTES = 512 * 1024
_LENGTH = 4


class OutboxEvent(NamedTuple):
    """One event of an outbox row, as the relay sends it."""

    topic: str
    key: bytes
    payload: bytes


def bundled(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outbox rows (event_id, topic, message_key, payload, headers, created_at), each of one event,
    as rows of up to MAX_EVENTS consecutive events of one topic and headers; order kept."""
    out: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        if run and (
            row["topic"] != run[0]["topic"]
            or row["headers"] != run[0]["headers"]
            or len(run) == MAX_EVENTS
            or size + len(row["payload"]) > MAX_BYTES
        ):
            out.append(_row_of(run))
            run, size = [], 0
        run.append(row)
        size += len(row["payload"])
    if run:
        out.append(_row_of(run))
    return out


def _row_of(run: list[dict[str, Any]]) -> dict[str, Any]:
    first = run[0]
    if len(run) == 1:
        return {**first, "event_count": 1}
    frames = []
    for row in run:
        key, payload = row["message_key"].encode(), row["payload"]
        frames += [len(key).to_bytes(_LENGTH, "big"), key, len(payload).to_bytes(_LENGTH, "big"), payload]
    return {**first, "payload": b"".join(frames), "event_count": len(run)}


def events_of(topic: str, message_key: str, payload: bytes, event_count: int) -> Iterator[OutboxEvent]:
    """The events of one outbox row, in the order written."""
    if event_count == 1:
        yield OutboxEvent(topic, message_key.encode(), bytes(payload))
        return
    view, at = memoryview(payload), 0
    for _ in range(event_count):
        key, at = _field(view, at)
        event, at = _field(view, at)
        yield OutboxEvent(topic, key, event)
    if at != len(view):
        raise ValueError(f"outbox row holds more than its {event_count} events")


def _field(view: memoryview, at: int) -> tuple[bytes, int]:
    length = int.from_bytes(view[at : at + _LENGTH], "big")
    start = at + _LENGTH
    if start + length > len(view):  # unsigned: only ever too long for what is left
        raise ValueError("outbox row's events are cut short")
    return bytes(view[start : start + length]), start + length
