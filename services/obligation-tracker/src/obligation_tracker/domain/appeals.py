"""An appeal deadline settled by what staff did with the claim's variance (the engine's variance
workflow: open -> appealed -> recovered | written_off)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from obligation_tracker.domain.model import Obligation


class VarianceStatus(StrEnum):
    OPEN = "open"
    APPEALED = "appealed"
    RECOVERED = "recovered"
    WRITTEN_OFF = "written_off"


@dataclass(frozen=True)
class VarianceOutcome:
    status: VarianceStatus
    on: date
    note: str | None = None
    amount: Decimal | None = None


def settle_appeal(appeal: Obligation, outcome: VarianceOutcome) -> Obligation | None:
    """The appeal deadline after the variance's move; None when the move changes nothing.

    Appealed or recovered: the deadline is met (completed). Written off: it no longer applies
    (cancelled). An appeal already filed stays completed whatever the payer answers."""
    if not appeal.is_open or outcome.status is VarianceStatus.OPEN:
        return None
    if outcome.status is VarianceStatus.APPEALED:
        return appeal.complete(_reason(f"appeal filed on {outcome.on}", outcome))
    if outcome.status is VarianceStatus.RECOVERED:
        recovered = f" {outcome.amount}" if outcome.amount is not None else ""
        return appeal.complete(_reason(f"underpayment{recovered} recovered on {outcome.on}", outcome))
    written_off = f" {outcome.amount}" if outcome.amount is not None else ""
    return appeal.cancel(_reason(f"variance{written_off} written off on {outcome.on}", outcome))


def _reason(what: str, outcome: VarianceOutcome) -> str:
    return f"{what}: {outcome.note}" if outcome.note else what
