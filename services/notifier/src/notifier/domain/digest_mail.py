"""A recipient's digest mail as it is sent, and what its sending means for the deliveries in it.

pending --mail accepted--> delivered
pending/retrying --4xx or no answer, retries left--> retrying
pending/retrying --5xx, or no retries left--> dead
pending/retrying --nothing left to send (every item stopped)--> disabled

A delivery of a digest subscription rides in one digest per recipient address. It is delivered
when every digest carrying it was, dead as soon as one of them is dead, and disabled when no
digest carries it any more; until then it waits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .deliveries import OPEN_STATUSES, DeliveryStatus
from .errors import InvalidDeliveryTransition
from .retry import DEFAULT_RETRY_POLICY, DeliveryOutcome, RandomSource, RetryPolicy, classify_smtp_reply


@dataclass(frozen=True)
class DigestMail:
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def record_attempt(
        self,
        at: datetime,
        reply_code: int | None,
        rng: RandomSource,
        retry_after: timedelta | None = None,
        policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    ) -> DigestMail:
        """The digest after one more attempt, answered with `reply_code` (None: no answer)."""
        self._require_open("record an attempt")
        number = self.attempts + 1
        outcome = classify_smtp_reply(reply_code)
        if outcome is DeliveryOutcome.DELIVERED:
            return replace(self, status=DeliveryStatus.DELIVERED, attempts=number, next_attempt_at=None)
        retry_at = None
        if outcome is DeliveryOutcome.RETRYABLE:
            retry_at = policy.next_attempt_at(number, at, rng, retry_after)
        if retry_at is None:
            return replace(self, status=DeliveryStatus.DEAD, attempts=number, next_attempt_at=None)
        return replace(self, status=DeliveryStatus.RETRYING, attempts=number, next_attempt_at=retry_at)

    def cancel(self) -> DigestMail:
        """Nothing is left to send in it (every item's subscription stopped or dropped the address)."""
        self._require_open("cancel")
        return replace(self, status=DeliveryStatus.DISABLED, next_attempt_at=None)

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise InvalidDeliveryTransition(f"cannot {action} on a {self.status} digest")


def delivery_verdict(digests: Collection[DeliveryStatus]) -> DeliveryStatus | None:
    """What the digests carrying a delivery say about it; None while it still waits for one.

    Cancelled (disabled) digests carry nothing, so they do not count.
    """
    carrying = [status for status in digests if status is not DeliveryStatus.DISABLED]
    if not carrying:
        return DeliveryStatus.DISABLED
    if DeliveryStatus.DEAD in carrying:
        return DeliveryStatus.DEAD
    if all(status is DeliveryStatus.DELIVERED for status in carrying):
        return DeliveryStatus.DELIVERED
    return None
