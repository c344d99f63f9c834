"""Prometheus figures of every send attempt: outcome and latency per channel (webhook, email)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from notifier.ports import SendResult

SENDS = Counter(
    "accord_notifier_sends_total",
    "Send attempts by channel and outcome (delivered, refused: an error status, no_answer)",
    ["channel", "outcome"],
)
SEND_SECONDS = Histogram(
    "accord_notifier_send_seconds",
    "Time from sending to the receiver's answer, by channel",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30),
)


def observed(channel: str, result: SendResult) -> SendResult:
    """Count the attempt and its latency; returns the result unchanged."""
    if result.status_code is None:
        outcome = "no_answer"
    elif 200 <= result.status_code < 300 or result.status_code == 250:
        outcome = "delivered"
    else:
        outcome = "refused"
    SENDS.labels(channel, outcome).inc()
    SEND_SECONDS.labels(channel).observe(result.latency_ms / 1000)
    return result
