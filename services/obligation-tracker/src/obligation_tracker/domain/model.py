"""Obligations: the deadlines a contract (or a claim under it) creates for the provider."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid5

# Fixed namespace so an obligation's id (and its iCalendar UID) follows from its natural key.
OBLIGATION_NAMESPACE = UUID("6f1c2b0e-8d4a-5c3e-9a7b-0b5e2d41c9aa")


class ObligationKind(StrEnum):
    RENEWAL_NOTICE = "renewal_notice"
    RENEWAL = "renewal"
    EXPIRY = "expiry"
    ESCALATOR = "escalator"
    OBJECTION_WINDOW = "objection_window"
    VBC_REPORT = "vbc_report"
    MEASUREMENT_PERIOD_END = "measurement_period_end"
    CREDENTIALING = "credentialing"
    TIMELY_FILING = "timely_filing"
    PROMPT_PAY = "prompt_pay"
    APPEAL = "appeal"


CONTRACT_KINDS = frozenset(
    {
        ObligationKind.RENEWAL_NOTICE,
        ObligationKind.RENEWAL,
        ObligationKind.EXPIRY,
        ObligationKind.ESCALATOR,
        ObligationKind.OBJECTION_WINDOW,
        ObligationKind.VBC_REPORT,
        ObligationKind.MEASUREMENT_PERIOD_END,
        ObligationKind.CREDENTIALING,
    }
)
CLAIM_KINDS = frozenset({ObligationKind.TIMELY_FILING, ObligationKind.PROMPT_PAY, ObligationKind.APPEAL})


class ObligationStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    WAIVED = "waived"
    CANCELLED = "cancelled"
    BREACHED = "breached"


# Settled obligations are history: recomputation never moves, cancels or reopens them.
SETTLED_STATUSES = frozenset({ObligationStatus.COMPLETED, ObligationStatus.WAIVED, ObligationStatus.BREACHED})


class ObligationStateError(ValueError):
    """A transition that the obligation's current status does not allow."""


@dataclass(frozen=True)
class ObligationKey:
    """The natural key: the same contract term always yields the same key, so recomputing is
    idempotent. ``discriminator`` tells apart several obligations of one kind on one subject
    (``"term 2"`` of an evergreen contract, ``"dated 2026-07-01"`` escalator, a deliverable and period)."""

    kind: ObligationKind
    contract_id: UUID
    claim_id: UUID | None = None
    discriminator: str = ""

    def as_text(self) -> str:
        claim = str(self.claim_id) if self.claim_id else "-"
        return f"{self.kind.value}/{self.contract_id}/{claim}/{self.discriminator}"

    def stable_id(self) -> UUID:
        """A deterministic id for a new obligation with this key."""
        return uuid5(OBLIGATION_NAMESPACE, self.as_text())


@dataclass(frozen=True)
class Obligation:
    """One deadline. ``due_at`` is the end of business on ``due_date`` in the org's zone."""

    id: UUID
    key: ObligationKey
    title: str
    due_date: date
    due_at: datetime
    status: ObligationStatus = ObligationStatus.OPEN
    reasons: tuple[str, ...] = ()
    snoozed_until: datetime | None = None

    @classmethod
    def new(cls, key: ObligationKey, title: str, due_date: date, due_at: datetime, reason: str) -> Obligation:
        return cls(key.stable_id(), key, title, due_date, due_at, reasons=(reason,))

    @property
    def kind(self) -> ObligationKind:
        return self.key.kind

    @property
    def contract_id(self) -> UUID:
        return self.key.contract_id

    @property
    def claim_id(self) -> UUID | None:
        return self.key.claim_id

    @property
    def is_open(self) -> bool:
        return self.status is ObligationStatus.OPEN

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED_STATUSES

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and now > self.due_at

    def is_snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and now < self.snoozed_until

    def complete(self, note: str = "completed") -> Obligation:
        return self._settle(ObligationStatus.COMPLETED, note)

    def waive(self, reason: str) -> Obligation:
        return self._settle(ObligationStatus.WAIVED, reason)

    def breach(self, reason: str) -> Obligation:
        return self._settle(ObligationStatus.BREACHED, reason)

    def cancel(self, reason: str) -> Obligation:
        return self._settle(ObligationStatus.CANCELLED, reason)

    def snooze(self, until: datetime) -> Obligation:
        self._require_open("snooze")
        return replace(self, snoozed_until=until)

    def reschedule(self, due_date: date, due_at: datetime, reason: str) -> Obligation:
        """Move the deadline (same id); a cancelled obligation that applies again is reopened."""
        if self.is_settled:
            raise ObligationStateError(f"cannot move a {self.status.value} obligation")
        return replace(
            self,
            due_date=due_date,
            due_at=due_at,
            status=ObligationStatus.OPEN,
            reasons=(*self.reasons, reason),
        )

    def _settle(self, status: ObligationStatus, reason: str) -> Obligation:
        self._require_open(status.value)
        return replace(self, status=status, reasons=(*self.reasons, reason), snoozed_until=None)

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise ObligationStateError(f"cannot {action}: obligation is {self.status.value}")
