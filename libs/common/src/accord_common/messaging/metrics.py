"""What operators watch: consumption, outages, lag and dead letters (the relay has its own)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

CONSUMED = Counter("accord_events_consumed_total", "Events consumed", ["topic", "outcome"])
HELD = Counter("accord_consumer_holds_total", "Times a consumer paused for an infrastructure outage")
LAG = Gauge(
    "accord_consumer_lag",
    "Records between the committed offset and the partition's end",
    ["consumer", "topic", "partition"],
)
ONE_BY_ONE = Counter(
    "accord_consumer_batch_fallbacks_total", "Fetched runs applied one by one after a failure", ["consumer"]
)
REASSIGNED = Counter(
    "accord_consumer_reassigned_total",
    "Offset commits refused because the group reassigned partitions during a run",
    ["consumer"],
)
DEAD_LETTERS = Counter("accord_dead_letters_total", "Events dead-lettered", ["consumer", "topic"])
