"""Subscriptions: which of an organisation's events go to which channel."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

from .channels import Channel
from .errors import NotifierDomainError

_PATTERN_SEGMENT = re.compile(r"^(\*|[a-z0-9_]+)$")


class EventField:
    """Payload fields the notifier filters on, as named in libs/common's event catalogue."""

    ORGANIZATION_ID = "organization_id"
    PAYER_ID = "payer_id"
    CONTRACT_ID = "contract_id"
    VARIANCE_AMOUNT = "variance"  # claim.variance_detected: signed, paid minus expected
    OBLIGATION_KIND = "kind"  # obligation.*


@dataclass(frozen=True)
class EventPattern:
    """An event type, or a pattern where `*` stands for one dot-separated segment.

    A trailing `*` also covers any deeper segments, so `*` alone matches every event and
    `obligation.*` matches `obligation.due_soon` but not `obligations.x` or `obligation`.
    """

    text: str

    def __post_init__(self) -> None:
        segments = self.text.split(".")
        if not all(_PATTERN_SEGMENT.fullmatch(segment) for segment in segments):
            raise NotifierDomainError("event_types", f"not an event type or pattern: {self.text!r}")

    def covers(self, event_type: str) -> bool:
        wanted = self.text.split(".")
        actual = event_type.split(".")
        if wanted[-1] == "*" and len(actual) >= len(wanted):
            actual = actual[: len(wanted)]
        if len(wanted) != len(actual):
            return False
        return all(w in ("*", a) for w, a in zip(wanted, actual, strict=True))


@dataclass(frozen=True)
class SubscriptionFilter:
    """Narrows a subscription; every filter set must hold, and an event without the field fails it.

    `min_variance_amount` compares the size of the variance (underpaid or overpaid alike).
    """

    payer_id: str | None = None
    contract_id: str | None = None
    min_variance_amount: Decimal | None = None
    obligation_kind: str | None = None

    def __post_init__(self) -> None:
        minimum = self.min_variance_amount
        if minimum is not None and (not minimum.is_finite() or minimum < 0):
            raise NotifierDomainError("min_variance_amount", "must be a non-negative amount")

    def admits(self, data: Mapping[str, object]) -> bool:
        return (
            _same_id(self.payer_id, data.get(EventField.PAYER_ID))
            and _same_id(self.contract_id, data.get(EventField.CONTRACT_ID))
            and _same_id(self.obligation_kind, data.get(EventField.OBLIGATION_KIND))
            and _variance_at_least(self.min_variance_amount, data.get(EventField.VARIANCE_AMOUNT))
        )


@dataclass(frozen=True)
class Subscription:
    id: UUID
    organization_id: str  # Accord's organisation ids are opaque strings (e.g. 'org-demo')
    event_types: tuple[EventPattern, ...]
    channel: Channel
    filters: SubscriptionFilter = SubscriptionFilter()
    disabled_at: datetime | None = None
    disabled_reason: str | None = None

    def __post_init__(self) -> None:
        if not self.event_types:
            raise NotifierDomainError("event_types", "name at least one event type or pattern")

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def disabled(self, now: datetime, reason: str) -> Subscription:
        """This subscription, switched off (e.g. its endpoint is gone); it matches nothing more."""
        return replace(self, disabled_at=now, disabled_reason=reason)

    def enabled(self) -> Subscription:
        return replace(self, disabled_at=None, disabled_reason=None)


def matches(subscription: Subscription, event_type: str, data: Mapping[str, object]) -> bool:
    """Whether this event goes to this subscription: same organisation, type covered, filters hold."""
    return (
        subscription.is_active
        and _same_id(str(subscription.organization_id), data.get(EventField.ORGANIZATION_ID))
        and any(pattern.covers(event_type) for pattern in subscription.event_types)
        and subscription.filters.admits(data)
    )


def _same_id(wanted: str | None, actual: object) -> bool:
    if wanted is None:
        return True
    if actual is None:
        return False
    return str(wanted).strip().lower() == str(actual).strip().lower()


def _variance_at_least(minimum: Decimal | None, actual: object) -> bool:
    if minimum is None:
        return True
    if actual is None or isinstance(actual, bool):
        return False
    try:
        amount = Decimal(str(actual))
    except InvalidOperation:
        return False
    return amount.is_finite() and abs(amount) >= minimum
