"""When to try a failed delivery again, and what a response means for the delivery.

Schedule (after the first, immediate attempt): about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
10 h, the schedule Standard Webhooks senders (Svix) use. Eight attempts span about 27 hours,
so a receiver that is down overnight still gets its events; after the eighth the delivery is
dead-lettered (kept, visible, replayable by hand).

Jitter: each delay is drawn uniformly from [floor x base, base]. A floor of 0 is textbook "full
jitter"; we default to 0.5 because full jitter may draw every delay near zero, and the retries
of a whole day would then be spent in a few seconds. Half the base still spreads a burst of
retries (an endpoint recovering from an outage) over a wide window.

Outcomes (Standard Webhooks practice): any 2xx is delivered; 410 Gone means the receiver
removed the endpoint, so it is disabled at once; every other status (3xx included: redirects
are not followed, they could lead to an internal address), a timeout or a connection error is
retried. 4xx is retried too: receivers answer 400/401/404 while a deploy or a secret rotation
is half done, and a bounded day of retries costs little.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol


class RandomSource(Protocol):
    """Anything with `random()` in [0, 1), such as `random.Random`; tests pass a fixed one."""

    def random(self) -> float: ...


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRYABLE = "retryable"
    PERMANENT = "permanent"  # this message can never be delivered (an SMTP 5xx rejection)
    GONE = "gone"  # the receiver says the endpoint no longer exists: disable it


RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
# A Retry-After longer than this is not honoured as such (the schedule's delay still applies).
MAX_RETRY_AFTER = timedelta(hours=10)


@dataclass(frozen=True)
class RetryPolicy:
    delays: tuple[timedelta, ...] = RETRY_DELAYS
    jitter_floor: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.jitter_floor <= 1.0:
            raise ValueError("jitter_floor must lie in [0, 1]")

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def next_attempt_at(
        self,
        attempt_no: int,
        now: datetime,
        rng: RandomSource,
        retry_after: timedelta | None = None,
    ) -> datetime | None:
        """When to make the attempt after failed attempt `attempt_no` (1-based); None: dead-letter.

        A receiver's Retry-After (429, 503) pushes the attempt later, never earlier.
        """
        if attempt_no < 1:
            raise ValueError("attempt numbers start at 1")
        if attempt_no > len(self.delays):
            return None
        base = self.delays[attempt_no - 1]
        spread = 1.0 - self.jitter_floor
        delay = base * (self.jitter_floor + spread * rng.random())
        if retry_after is not None:
            delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
        return now + delay


DEFAULT_RETRY_POLICY = RetryPolicy()


def next_attempt_at(
    attempt_no: int, now: datetime, rng: RandomSource, retry_after: timedelta | None = None
) -> datetime | None:
    """`DEFAULT_RETRY_POLICY.next_attempt_at`: the notifier's standard schedule."""
    return DEFAULT_RETRY_POLICY.next_attempt_at(attempt_no, now, rng, retry_after)


def classify_http_status(status_code: int | None) -> DeliveryOutcome:
    """What a webhook response means; None stands for a timeout or connection error."""
    if status_code is not None and 200 <= status_code <= 299:
        return DeliveryOutcome.DELIVERED
    if status_code == 410:
        return DeliveryOutcome.GONE
    return DeliveryOutcome.RETRYABLE


def classify_smtp_reply(reply_code: int | None) -> DeliveryOutcome:
    """What the mail server's reply means: 2xx accepted, 4xx try later, 5xx refused for good."""
    if reply_code is not None and 200 <= reply_code <= 299:
        return DeliveryOutcome.DELIVERED
    if reply_code is not None and 500 <= reply_code <= 599:
        return DeliveryOutcome.PERMANENT
    return DeliveryOutcome.RETRYABLE
