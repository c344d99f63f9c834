"""A delivery: one event sent to one subscription, with every attempt it took.

pending --attempt ok--> delivered
pending/retrying --attempt failed, retries left--> retrying
pending/retrying --attempt failed, none left / permanent--> dead
pending/retrying --410 Gone, or endpoint disabled--> disabled
dead/disabled --redeliver (by hand)--> pending
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from .channels import ChannelKind
from .errors import InvalidDeliveryTransition
from .responses import error_excerpt
from .retry import (
    DEFAULT_RETRY_POLICY,
    DeliveryOutcome,
    RandomSource,
    RetryPolicy,
    classify_http_status,
    classify_smtp_reply,
)
from .signing import webhook_message_id


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"
    DISABLED = "disabled"


OPEN_STATUSES = frozenset({DeliveryStatus.PENDING, DeliveryStatus.RETRYING})


@dataclass(frozen=True)
class Attempt:
    number: int
    at: datetime
    status_code: int | None  # HTTP status or SMTP reply code; None: no answer (timeout, refused)
    latency_ms: int
    outcome: DeliveryOutcome
    error: str | None = None


@dataclass(frozen=True)
class Delivery:
    event_id: UUID
    subscription_id: UUID
    channel: ChannelKind
    status: DeliveryStatus
    next_attempt_at: datetime | None
    attempts: tuple[Attempt, ...] = ()

    @classmethod
    def new(cls, event_id: UUID, subscription_id: UUID, channel: ChannelKind, now: datetime) -> Delivery:
        """A delivery due at once."""
        return cls(event_id, subscription_id, channel, DeliveryStatus.PENDING, now)

    @property
    def idempotency_key(self) -> tuple[UUID, UUID]:
        """One delivery per (event, subscription), however often the event is consumed."""
        return (self.event_id, self.subscription_id)

    @property
    def webhook_id(self) -> str:
        return webhook_message_id(self.event_id, self.subscription_id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def ended_gone(self) -> bool:
        """Whether the receiver answered 410 Gone: the endpoint is to be disabled."""
        return bool(self.attempts) and self.attempts[-1].outcome is DeliveryOutcome.GONE

    @property
    def notification_event_type(self) -> str | None:
        """The event the notifier publishes about this delivery, once it has ended."""
        if self.status is DeliveryStatus.DELIVERED:
            return "notification.delivered"
        if self.status in (DeliveryStatus.DEAD, DeliveryStatus.DISABLED):
            return "notification.failed"
        return None

    def record_attempt(
        self,
        at: datetime,
        status_code: int | None,
        latency_ms: int,
        rng: RandomSource,
        error: str | None = None,
        retry_after: timedelta | None = None,
        policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    ) -> Delivery:
        """The delivery after one more attempt, answered with `status_code` (None: no answer)."""
        self._require_open("record an attempt")
        outcome = self._classify(status_code)
        attempt = Attempt(
            len(self.attempts) + 1,
            at,
            status_code,
            max(latency_ms, 0),
            outcome,
            error_excerpt(error),
        )
        attempts = (*self.attempts, attempt)
        if outcome is DeliveryOutcome.DELIVERED:
            return self._moved(DeliveryStatus.DELIVERED, None, attempts)
        if outcome is DeliveryOutcome.GONE:
            return self._moved(DeliveryStatus.DISABLED, None, attempts)
        if outcome is DeliveryOutcome.PERMANENT:
            return self._moved(DeliveryStatus.DEAD, None, attempts)
        retry_at = policy.next_attempt_at(attempt.number, at, rng, retry_after)
        if retry_at is None:
            return self._moved(DeliveryStatus.DEAD, None, attempts)
        return self._moved(DeliveryStatus.RETRYING, retry_at, attempts)

    def record_digest_attempt(
        self,
        at: datetime,
        reply_code: int | None,
        latency_ms: int,
        verdict: DeliveryStatus | None,
        next_attempt_at: datetime | None,
        error: str | None = None,
    ) -> Delivery:
        """One attempt of a digest mail carrying this delivery, with what its digests now say.

        The delivery's own retry schedule does not apply: its digests retry, and `verdict`
        (digest_mail.delivery_verdict) ends it. While it waits, a failed attempt makes it
        retrying, at the digest's next attempt.
        """
        self._require_open("record a digest attempt")
        outcome = classify_smtp_reply(reply_code)
        number = len(self.attempts) + 1
        attempt = Attempt(number, at, reply_code, max(latency_ms, 0), outcome, error_excerpt(error))
        attempts = (*self.attempts, attempt)
        if verdict is not None and verdict not in OPEN_STATUSES:
            return self._moved(verdict, None, attempts)
        if outcome is DeliveryOutcome.DELIVERED:
            return self._moved(self.status, self.next_attempt_at, attempts)
        return self._moved(DeliveryStatus.RETRYING, next_attempt_at, attempts)

    def conclude(self, verdict: DeliveryStatus) -> Delivery:
        """End a waiting delivery as its digests say, without an attempt of its own."""
        self._require_open("conclude")
        if verdict in OPEN_STATUSES:
            raise InvalidDeliveryTransition(f"{verdict} does not end a delivery")
        return self._moved(verdict, None, self.attempts)

    def disable(self) -> Delivery:
        """Stop an open delivery because its endpoint or subscription was switched off."""
        self._require_open("disable")
        return self._moved(DeliveryStatus.DISABLED, None, self.attempts)

    def redeliver(self, now: datetime) -> Delivery:
        """Try an ended, undelivered delivery again (an operator's replay); history is kept."""
        if self.status not in (DeliveryStatus.DEAD, DeliveryStatus.DISABLED):
            raise InvalidDeliveryTransition(f"cannot redeliver a {self.status} delivery")
        return self._moved(DeliveryStatus.PENDING, now, self.attempts)

    def _classify(self, status_code: int | None) -> DeliveryOutcome:
        if self.channel is ChannelKind.EMAIL:
            return classify_smtp_reply(status_code)
        return classify_http_status(status_code)

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise InvalidDeliveryTransition(f"cannot {action} on a {self.status} delivery")

    def _moved(
        self,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
        attempts: tuple[Attempt, ...],
    ) -> Delivery:
        return replace(self, status=status, next_attempt_at=next_attempt_at, attempts=attempts)
