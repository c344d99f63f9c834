"""The delivery state machine and when an endpoint is switched off."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from notifier.domain import (
    DISABLE_AFTER_CONSECUTIVE_DEAD,
    ChannelKind,
    Delivery,
    DeliveryOutcome,
    DeliveryStatus,
    EndpointHealth,
    InvalidDeliveryTransition,
    webhook_message_id,
)

NOW = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
EVENT = UUID("7f3c2a10-5b6d-4e8f-9a01-23456789abcd")
SUBSCRIPTION = UUID("33333333-3333-4333-8333-333333333333")


class FixedRandom:
    def random(self) -> float:
        return 0.0


RNG = FixedRandom()


def webhook_delivery() -> Delivery:
    return Delivery.new(EVENT, SUBSCRIPTION, ChannelKind.WEBHOOK, NOW)


def failed_times(delivery: Delivery, count: int, status_code: int | None = 503) -> Delivery:
    for _ in range(count):
        at = delivery.next_attempt_at or NOW
        delivery = delivery.record_attempt(at, status_code, 120, RNG, error="Service Unavailable")
    return delivery


def test_a_new_delivery_is_pending_and_due_now() -> None:
    delivery = webhook_delivery()
    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.next_attempt_at == NOW
    assert delivery.attempts == ()
    assert delivery.idempotency_key == (EVENT, SUBSCRIPTION)
    assert delivery.webhook_id == webhook_message_id(EVENT, SUBSCRIPTION)


@pytest.mark.parametrize(
    ("channel", "status_code", "status", "retry_in"),
    [
        (ChannelKind.WEBHOOK, 200, DeliveryStatus.DELIVERED, None),
        (ChannelKind.WEBHOOK, 204, DeliveryStatus.DELIVERED, None),
        (ChannelKind.WEBHOOK, 500, DeliveryStatus.RETRYING, timedelta(seconds=2.5)),
        (ChannelKind.WEBHOOK, 404, DeliveryStatus.RETRYING, timedelta(seconds=2.5)),
        (ChannelKind.WEBHOOK, None, DeliveryStatus.RETRYING, timedelta(seconds=2.5)),
        (ChannelKind.WEBHOOK, 410, DeliveryStatus.DISABLED, None),
        (ChannelKind.EMAIL, 250, DeliveryStatus.DELIVERED, None),
        (ChannelKind.EMAIL, 451, DeliveryStatus.RETRYING, timedelta(seconds=2.5)),
        (ChannelKind.EMAIL, 550, DeliveryStatus.DEAD, None),
    ],
)
def test_first_attempt_transitions(
    channel: ChannelKind, status_code: int | None, status: DeliveryStatus, retry_in: timedelta | None
) -> None:
    delivery = Delivery.new(EVENT, SUBSCRIPTION, channel, NOW)
    after = delivery.record_attempt(NOW, status_code, 87, RNG)
    assert after.status is status
    assert after.next_attempt_at == (NOW + retry_in if retry_in else None)
    assert after.attempts[0].number == 1
    assert after.attempts[0].status_code == status_code
    assert after.attempts[0].latency_ms == 87


def test_an_attempt_records_time_status_latency_and_error() -> None:
    after = webhook_delivery().record_attempt(NOW, None, 15_000, RNG, error="timed out after 15 s")
    attempt = after.attempts[0]
    assert (attempt.at, attempt.status_code, attempt.latency_ms) == (NOW, None, 15_000)
    assert attempt.error == "timed out after 15 s"
    assert attempt.outcome is DeliveryOutcome.RETRYABLE


def test_eight_failures_dead_letter_the_delivery() -> None:
    delivery = failed_times(webhook_delivery(), 7)
    assert delivery.status is DeliveryStatus.RETRYING
    dead = failed_times(delivery, 1)
    assert dead.status is DeliveryStatus.DEAD
    assert dead.next_attempt_at is None
    assert [a.number for a in dead.attempts] == list(range(1, 9))
    assert dead.notification_event_type == "notification.failed"


def test_a_retry_can_still_succeed() -> None:
    delivered = failed_times(webhook_delivery(), 3).record_attempt(NOW, 200, 40, RNG)
    assert delivered.status is DeliveryStatus.DELIVERED
    assert len(delivered.attempts) == 4
    assert delivered.notification_event_type == "notification.delivered"


@pytest.mark.parametrize(
    "ended",
    [
        webhook_delivery().record_attempt(NOW, 200, 10, RNG),
        failed_times(webhook_delivery(), 8),
        webhook_delivery().record_attempt(NOW, 410, 10, RNG),
    ],
    ids=["delivered", "dead", "gone"],
)
def test_an_ended_delivery_takes_no_more_attempts(ended: Delivery) -> None:
    with pytest.raises(InvalidDeliveryTransition):
        ended.record_attempt(NOW, 200, 10, RNG)
    with pytest.raises(InvalidDeliveryTransition):
        ended.disable()


@pytest.mark.parametrize("open_delivery", [webhook_delivery(), failed_times(webhook_delivery(), 2)])
def test_an_open_delivery_can_be_disabled(open_delivery: Delivery) -> None:
    disabled = open_delivery.disable()
    assert disabled.status is DeliveryStatus.DISABLED
    assert disabled.next_attempt_at is None


def test_a_dead_delivery_can_be_redelivered_by_hand_with_its_history() -> None:
    later = NOW + timedelta(days=2)
    replayed = failed_times(webhook_delivery(), 8).redeliver(later)
    assert replayed.status is DeliveryStatus.PENDING
    assert replayed.next_attempt_at == later
    assert len(replayed.attempts) == 8
    assert replayed.record_attempt(later, 200, 10, RNG).status is DeliveryStatus.DELIVERED


def test_only_ended_undelivered_deliveries_are_redelivered() -> None:
    with pytest.raises(InvalidDeliveryTransition):
        webhook_delivery().record_attempt(NOW, 200, 10, RNG).redeliver(NOW)
    with pytest.raises(InvalidDeliveryTransition):
        webhook_delivery().redeliver(NOW)


def test_long_errors_are_cut_to_an_excerpt() -> None:
    after = webhook_delivery().record_attempt(NOW, 500, 10, RNG, error="x" * 10_000)
    error = after.attempts[0].error
    assert error is not None
    assert len(error) == 1024
    assert error.endswith("\u2026")


def test_consecutive_dead_deliveries_disable_the_endpoint() -> None:
    dead = failed_times(webhook_delivery(), 8)
    health = EndpointHealth()
    for _ in range(DISABLE_AFTER_CONSECUTIVE_DEAD - 1):
        health = health.after(dead)
    assert not health.should_disable
    assert health.disable_reason is None
    health = health.after(dead)
    assert health.should_disable
    assert f"last {DISABLE_AFTER_CONSECUTIVE_DEAD} notifications" in (health.disable_reason or "")


def test_a_delivered_message_resets_the_count() -> None:
    dead = failed_times(webhook_delivery(), 8)
    delivered = webhook_delivery().record_attempt(NOW, 200, 10, RNG)
    health = EndpointHealth().after(dead).after(dead).after(delivered).after(dead)
    assert health.consecutive_dead == 1


def test_gone_disables_the_endpoint_at_once_and_open_deliveries_change_nothing() -> None:
    gone = webhook_delivery().record_attempt(NOW, 410, 10, RNG)
    assert gone.ended_gone
    health = EndpointHealth().after(gone)
    assert health.should_disable
    assert "410 Gone" in (health.disable_reason or "")
    assert EndpointHealth().after(failed_times(webhook_delivery(), 2)) == EndpointHealth()
