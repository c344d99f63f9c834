"""Every send attempt shows on /metrics by channel and outcome, with its latency."""

from __future__ import annotations

import pytest
from notifier.adapters.send_metrics import observed
from notifier.ports import SendResult
from prometheus_client import REGISTRY


def sends(channel: str, outcome: str) -> float:
    return (
        REGISTRY.get_sample_value("accord_notifier_sends_total", {"channel": channel, "outcome": outcome})
        or 0.0
    )


@pytest.mark.parametrize(
    ("channel", "result", "outcome"),
    [
        ("webhook", SendResult(204, 35), "delivered"),
        ("webhook", SendResult(503, 120, "busy"), "refused"),
        ("webhook", SendResult(None, 15000, "ReadTimeout"), "no_answer"),
        ("email", SendResult(250, 80), "delivered"),
        ("email", SendResult(550, 40, "recipient refused"), "refused"),
    ],
)
def test_an_attempt_is_counted_by_channel_and_outcome_with_its_latency(
    channel: str, result: SendResult, outcome: str
) -> None:
    before = sends(channel, outcome)
    latency_before = (
        REGISTRY.get_sample_value("accord_notifier_send_seconds_sum", {"channel": channel}) or 0.0
    )
    assert observed(channel, result) is result
    assert sends(channel, outcome) == before + 1
    latency = REGISTRY.get_sample_value("accord_notifier_send_seconds_sum", {"channel": channel}) or 0.0
    assert latency == pytest.approx(latency_before + result.latency_ms / 1000)
