"""The retry schedule and what each answer means."""

from datetime import UTC, datetime, timedelta

import pytest
from notifier.domain import (
    RETRY_DELAYS,
    DeliveryOutcome,
    RetryPolicy,
    classify_http_status,
    classify_smtp_reply,
    next_attempt_at,
)

NOW = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)


class FixedRandom:
    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.mark.parametrize(
    ("attempt_no", "earliest", "latest"),
    [
        (1, timedelta(seconds=2.5), timedelta(seconds=5)),
        (2, timedelta(minutes=2.5), timedelta(minutes=5)),
        (3, timedelta(minutes=15), timedelta(minutes=30)),
        (4, timedelta(hours=1), timedelta(hours=2)),
        (5, timedelta(hours=2.5), timedelta(hours=5)),
        (6, timedelta(hours=5), timedelta(hours=10)),
        (7, timedelta(hours=5), timedelta(hours=10)),
    ],
)
def test_each_retry_lands_within_its_jittered_window(
    attempt_no: int, earliest: timedelta, latest: timedelta
) -> None:
    assert next_attempt_at(attempt_no, NOW, FixedRandom(0.0)) == NOW + earliest
    assert next_attempt_at(attempt_no, NOW, FixedRandom(0.999999)) <= NOW + latest
    assert next_attempt_at(attempt_no, NOW, FixedRandom(0.999999)) > NOW + latest * 0.999


def test_after_the_eighth_attempt_the_delivery_is_dead_lettered() -> None:
    assert next_attempt_at(8, NOW, FixedRandom(0.5)) is None
    assert RetryPolicy().max_attempts == 8


def test_the_schedule_spans_about_a_day() -> None:
    assert timedelta(hours=24) < sum(RETRY_DELAYS, timedelta()) < timedelta(hours=30)


@pytest.mark.parametrize("value", [0.0, 0.5, 0.999])
def test_full_jitter_is_available_and_draws_from_zero(value: float) -> None:
    full = RetryPolicy(jitter_floor=0.0)
    assert full.next_attempt_at(3, NOW, FixedRandom(value)) == NOW + timedelta(minutes=30) * value


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (None, timedelta(minutes=2.5)),
        (timedelta(seconds=30), timedelta(minutes=2.5)),
        (timedelta(minutes=20), timedelta(minutes=20)),
        (timedelta(days=3), timedelta(hours=10)),
    ],
)
def test_retry_after_pushes_later_within_a_cap(retry_after: timedelta | None, expected: timedelta) -> None:
    assert next_attempt_at(2, NOW, FixedRandom(0.0), retry_after) == NOW + expected


@pytest.mark.parametrize("attempt_no", [0, -1])
def test_attempt_numbers_start_at_one(attempt_no: int) -> None:
    with pytest.raises(ValueError):
        next_attempt_at(attempt_no, NOW, FixedRandom(0.0))


@pytest.mark.parametrize("floor", [-0.1, 1.1])
def test_jitter_floor_is_a_fraction(floor: float) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(jitter_floor=floor)


@pytest.mark.parametrize(
    ("status_code", "outcome"),
    [
        (200, DeliveryOutcome.DELIVERED),
        (202, DeliveryOutcome.DELIVERED),
        (204, DeliveryOutcome.DELIVERED),
        (299, DeliveryOutcome.DELIVERED),
        (301, DeliveryOutcome.RETRYABLE),
        (307, DeliveryOutcome.RETRYABLE),
        (400, DeliveryOutcome.RETRYABLE),
        (401, DeliveryOutcome.RETRYABLE),
        (404, DeliveryOutcome.RETRYABLE),
        (408, DeliveryOutcome.RETRYABLE),
        (410, DeliveryOutcome.GONE),
        (429, DeliveryOutcome.RETRYABLE),
        (500, DeliveryOutcome.RETRYABLE),
        (503, DeliveryOutcome.RETRYABLE),
        (None, DeliveryOutcome.RETRYABLE),
    ],
)
def test_webhook_answers(status_code: int | None, outcome: DeliveryOutcome) -> None:
    assert classify_http_status(status_code) is outcome


@pytest.mark.parametrize(
    ("reply_code", "outcome"),
    [
        (250, DeliveryOutcome.DELIVERED),
        (421, DeliveryOutcome.RETRYABLE),
        (451, DeliveryOutcome.RETRYABLE),
        (550, DeliveryOutcome.PERMANENT),
        (553, DeliveryOutcome.PERMANENT),
        (None, DeliveryOutcome.RETRYABLE),
    ],
)
def test_mail_server_replies(reply_code: int | None, outcome: DeliveryOutcome) -> None:
    assert classify_smtp_reply(reply_code) is outcome
