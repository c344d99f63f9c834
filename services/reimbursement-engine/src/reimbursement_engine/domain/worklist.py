"""The variance worklist: state transitions, and open variances summed so small ones add up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"appealed", "written_off"}),
    "appealed": frozenset({"recovered", "written_off"}),
}


# statuses a person set: a new remittance updates the figures but never reopens or closes them
WORKED = frozenset({"appealed", "recovered", "written_off"})


def status_after_reconciling(current: str | None, is_variance: bool) -> str:
    """A worked variance keeps its status; any other is open if there is a variance, else resolved."""
    if current is not None and current in WORKED:
        return current
    return "open" if is_variance else "resolved"


class TransitionRefused(ValueError):
    pass


def check_transition(current: str, target: str) -> None:
    allowed = TRANSITIONS.get(current, frozenset())
    if target not in allowed:
        choices = ", ".join(sorted(allowed)) or "none (final)"
        raise TransitionRefused(f"a {current} variance cannot become {target}; allowed: {choices}")


@dataclass(frozen=True, slots=True)
class WorklistLine:
    payer_id: str
    contract_id: str | None
    claim_id: str
    remittance_date: date
    code: str
    carc: str
    variance: Decimal
    expected_allowed: Decimal
    paid: Decimal


@dataclass
class WorklistEntry:
    """Open variance lines of one payer, contract, code and CARC: one recoverable amount."""

    payer_id: str
    contract_id: str | None
    code: str
    carc: str
    amount: Decimal = Decimal(0)
    expected_allowed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    line_count: int = 0
    oldest_remittance: date | None = None
    claim_ids: set[str] = field(default_factory=set)

    @property
    def claim_count(self) -> int:
        return len(self.claim_ids)


def aggregate(lines: Iterable[WorklistLine]) -> list[WorklistEntry]:
    """Sum non-zero variance lines by (payer, contract, code, CARC), largest amount first."""
    entries: dict[tuple[str, str | None, str, str], WorklistEntry] = {}
    for line in lines:
        if not line.variance:
            continue
        key = (line.payer_id, line.contract_id, line.code, line.carc)
        entry = entries.setdefault(key, WorklistEntry(*key))
        entry.amount += line.variance
        entry.expected_allowed += line.expected_allowed
        entry.paid += line.paid
        entry.line_count += 1
        entry.claim_ids.add(line.claim_id)
        if entry.oldest_remittance is None or line.remittance_date < entry.oldest_remittance:
            entry.oldest_remittance = line.remittance_date
    return sorted(entries.values(), key=lambda e: (-abs(e.amount), e.payer_id, e.code))
