"""Where an amendment's latency goes: one timestamp per hop, read from each service's own database.

For every amendment the bench knows when it sent the request, when the registry answered and when
the webhook arrived; the rest comes from the rows the path leaves behind:

    registry outbox   contract.amended       created_at (commit) -> published_at (relay done)
    tracker inbox     contract.amended       processed_at (the consumer took it)
    tracker outbox    obligation.rescheduled created_at (commit) -> published_at
    notifier          deliveries             created_at (the consumer stored the delivery)

matched by contract and new due date (each amendment moves one renewal-notice deadline to a date
of its own). Clocks are this machine's wall clock throughout (UTC in the databases).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import asyncpg
from accord_common.outbox_bundles import events_of

Key = tuple[str, str]  # (contract id, renewal-notice due date)

HOPS = (
    ("registry answers the amendment", "sent", "answered"),
    ("registry relay: commit -> published", "registry_created", "registry_published"),
    ("broker + tracker consumer", "registry_published", "tracker_inbox"),
    ("tracker handler -> commit", "tracker_inbox", "tracker_created"),
    ("tracker relay: commit -> published", "tracker_created", "tracker_published"),
    ("broker + notifier consumer", "tracker_published", "delivery_created"),
    ("notifier send loop -> webhook arrives", "delivery_created", "arrived"),
    ("end to end: answered -> webhook", "answered", "arrived"),
)


async def read_points(urls: Mapping[str, str], termination: date) -> dict[Key, dict[str, float]]:
    """Every database's moments, by (contract, due date)."""
    points: dict[Key, dict[str, float]] = {}

    def put(key: Key, name: str, moment: Any) -> None:
        if moment is not None:
            points.setdefault(key, {}).setdefault(name, moment.timestamp())

    amended: dict[str, Key] = {}
    for row, event in await _events(urls["contract-registry"], "contract.amended"):
        data = event["data"]
        due = termination - timedelta(days=int(data["terms"]["notice_days"]))
        key = (str(data["contract_id"]), due.isoformat())
        amended[event["id"]] = key
        put(key, "registry_created", row["created_at"])
        put(key, "registry_published", row["published_at"])
    for row in await _rows(urls["obligation-tracker"], _INBOX, "contract.amended"):
        if row["event_id"] in amended:
            put(amended[row["event_id"]], "tracker_inbox", row["processed_at"])
    moved: dict[str, Key] = {}
    for row, event in await _events(urls["obligation-tracker"], "obligation.rescheduled"):
        data = event["data"]
        key = (str(data.get("contract_id")), str(data.get("due_date")))
        moved[event["id"]] = key
        put(key, "tracker_created", row["created_at"])
        put(key, "tracker_published", row["published_at"])
    for row in await _rows(urls["notifier"], _DELIVERIES, "obligation.rescheduled"):
        if row["event_id"] in moved:
            put(moved[row["event_id"]], "delivery_created", row["created_at"])
    return points


_OUTBOX = (
    "SELECT topic, message_key, payload, event_count, created_at, published_at FROM outbox "
    "WHERE topic = $1 ORDER BY id"
)
_INBOX = "SELECT event_id, processed_at FROM inbox WHERE event_type = $1"
_DELIVERIES = "SELECT event_id, created_at FROM deliveries WHERE event_type = $1"


async def _rows(url: str, query: str, event_type: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return list(await connection.fetch(query, event_type))
    finally:
        await connection.close()


async def _events(url: str, topic: str) -> list[tuple[asyncpg.Record, dict[str, Any]]]:
    """Each event of the outbox's rows of `topic` (a row may hold several), with its row."""
    rows = await _rows(url, _OUTBOX, topic)
    return [
        (row, json.loads(event.payload))
        for row in rows
        for event in events_of(row["topic"], row["message_key"], row["payload"], row["event_count"])
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)]


def hop_table(traces: Mapping[Key, Mapping[str, float]]) -> list[str]:
    """One line per hop: how many amendments have both ends, p50, p99 and max in ms."""
    lines = [f"{'hop':<42}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}"]
    for name, start, end in HOPS:
        spans = [(t[end] - t[start]) * 1000 for t in traces.values() if start in t and end in t]
        if not spans:
            lines.append(f"{name:<42}{0:>6}")
            continue
        p50, p99 = percentile(spans, 0.5), percentile(spans, 0.99)
        lines.append(f"{name:<42}{len(spans):>6}{p50:>10.0f}{p99:>10.0f}{max(spans):>10.0f}")
    return lines


def hops(
    urls: Mapping[str, str], termination: date, client_side: Mapping[Key, Mapping[str, float]]
) -> list[str]:
    """The per-hop table for the amendments the bench sent (`client_side`: sent/answered/arrived)."""
    stored = asyncio.run(read_points(urls, termination))
    traces = {key: {**stored.get(key, {}), **moments} for key, moments in client_side.items()}
    return hop_table(traces)
