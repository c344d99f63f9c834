"""The variance worklist: state transitions, and open variances summed so small ones add up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from reimbursement_engine.domain.reconciliation import Classification

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


# Where an open variance is worked: what the payer owes (underpaid and denied claims), what it
# overpaid (listed apart, never netted against what it owes), and claims pricing could not judge.
class WorklistSection(StrEnum):
    RECOVERABLE = "recoverable"
    OVERPAID = "overpaid"
    NEEDS_REVIEW = "needs_review"


_SECTIONS = {
    Classification.UNDERPAID: WorklistSection.RECOVERABLE,
    Classification.PARTLY_DENIED: WorklistSection.RECOVERABLE,
    Classification.DENIED: WorklistSection.RECOVERABLE,
    Classification.OVERPAID: WorklistSection.OVERPAID,
    Classification.NEEDS_REVIEW: WorklistSection.NEEDS_REVIEW,
}
# the part of a claim's variance no line carries (DRG, case rate, stop-loss, claim-level CAS)
CLAIM_LEVEL = "claim-level"


@dataclass(frozen=True, slots=True)
class WorklistLine:
    """One line of a variance: its code, main CARC and amounts."""

    code: str
    carc: str
    variance: Decimal
    expected_allowed: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class WorklistVariance:
    """One claim's variance (the amount it counts for) with its lines."""

    payer_id: str
    contract_id: str | None
    claim_id: str
    classification: Classification
    remittance_date: date
    variance: Decimal
    expected_allowed: Decimal
    paid: Decimal
    carcs: tuple[str, ...]
    lines: tuple[WorklistLine, ...]

    def parts(self) -> list[WorklistLine]:
        """Its lines with a variance, and the rest of the claim's variance as one claim-level part,
        so the parts always add up to the claim's variance."""
        parts = [line for line in self.lines if line.variance]
        rest = self.variance - sum((line.variance for line in parts), Decimal(0))
        if rest:
            expected = self.expected_allowed - sum((line.expected_allowed for line in self.lines), Decimal(0))
            paid = self.paid - sum((line.paid for line in self.lines), Decimal(0))
            carc = self.carcs[0] if self.carcs else ""
            parts.append(WorklistLine(CLAIM_LEVEL, carc, rest, expected, paid))
        return parts


@dataclass
class WorklistEntry:
    """Open variance parts of one payer, contract, code and CARC: one recoverable amount."""

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

    def add(self, variance: WorklistVariance, part: WorklistLine) -> None:
        self.amount += part.variance
        self.expected_allowed += part.expected_allowed
        self.paid += part.paid
        self.line_count += 1
        self.claim_ids.add(variance.claim_id)
        if self.oldest_remittance is None or variance.remittance_date < self.oldest_remittance:
            self.oldest_remittance = variance.remittance_date


@dataclass
class WorklistGroup:
    """One section of the worklist: its entries (largest first) and the sum of its variances."""

    section: WorklistSection
    entries: list[WorklistEntry] = field(default_factory=list)
    total: Decimal = Decimal(0)
    variance_count: int = 0


@dataclass
class Worklist:
    recoverable: WorklistGroup
    overpaid: WorklistGroup
    needs_review: WorklistGroup


def aggregate(variances: Iterable[WorklistVariance]) -> Worklist:
    """Every variance in its section; within one, parts summed by (payer, contract, code, CARC).
    A section's total is the sum of its claims' variances, to the cent."""
    groups = {section: WorklistGroup(section) for section in WorklistSection}
    keyed: dict[WorklistSection, dict[tuple[str, str | None, str, str], WorklistEntry]] = {
        section: {} for section in WorklistSection
    }
    for variance in variances:
        section = _SECTIONS.get(variance.classification)
        if section is None or not variance.variance:
            continue
        groups[section].total += variance.variance
        groups[section].variance_count += 1
        for part in variance.parts():
            key = (variance.payer_id, variance.contract_id, part.code, part.carc)
            keyed[section].setdefault(key, WorklistEntry(*key)).add(variance, part)
    for section, entries in keyed.items():
        groups[section].entries = sorted(entries.values(), key=lambda e: (-abs(e.amount), e.payer_id, e.code))
    return Worklist(
        groups[WorklistSection.RECOVERABLE],
        groups[WorklistSection.OVERPAID],
        groups[WorklistSection.NEEDS_REVIEW],
    )
