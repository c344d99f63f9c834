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
SECTIONED = frozenset(_SECTIONS)  # the classifications the worklist lists
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


@dataclass(frozen=True, slots=True)
class WorklistSum:
    """The variance parts of one classification, payer, contract, code and CARC summed (what a
    database's GROUP BY gives): a worklist entry before the sections are drawn."""

    classification: Classification
    payer_id: str
    contract_id: str | None
    code: str
    carc: str
    amount: Decimal
    expected_allowed: Decimal
    paid: Decimal
    line_count: int
    claim_count: int
    oldest_remittance: date | None


@dataclass(frozen=True, slots=True)
class ClassificationTotal:
    """The variances of one classification: their sum (each claim's variance once) and count."""

    classification: Classification
    total: Decimal
    variance_count: int


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
    claim_count: int = 0

    def add(self, part: WorklistSum) -> None:
        self.amount += part.amount
        self.expected_allowed += part.expected_allowed
        self.paid += part.paid
        self.line_count += part.line_count
        self.claim_count += part.claim_count  # a claim has one variance, of one classification
        if part.oldest_remittance is not None and (
            self.oldest_remittance is None or part.oldest_remittance < self.oldest_remittance
        ):
            self.oldest_remittance = part.oldest_remittance


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


_SumKey = tuple[Classification, str, str | None, str, str]  # what a WorklistSum sums by


def counted(variance: WorklistVariance) -> bool:
    """Whether a variance is on the worklist: a classification it has a section for, and an amount."""
    return variance.classification in _SECTIONS and bool(variance.variance)


def aggregate(variances: Iterable[WorklistVariance]) -> Worklist:
    """Every variance in its section; within one, parts summed by (payer, contract, code, CARC).
    A section's total is the sum of its claims' variances, to the cent."""
    sums, totals = summed(variances)
    return assemble(sums, totals)


def summed(variances: Iterable[WorklistVariance]) -> tuple[list[WorklistSum], list[ClassificationTotal]]:
    """The variances' parts summed by classification, payer, contract, code and CARC, and each
    classification's total: what `assemble` takes (a database can give the same by GROUP BY)."""
    amounts: dict[_SumKey, list[Decimal]] = {}  # amount, expected allowed, paid
    lines: dict[_SumKey, int] = {}
    claims: dict[_SumKey, set[str]] = {}
    oldest: dict[_SumKey, date] = {}
    totals: dict[Classification, Decimal] = {}
    counts: dict[Classification, int] = {}
    for variance in variances:
        if not counted(variance):
            continue
        totals[variance.classification] = totals.get(variance.classification, Decimal(0)) + variance.variance
        counts[variance.classification] = counts.get(variance.classification, 0) + 1
        for part in variance.parts():
            key = (variance.classification, variance.payer_id, variance.contract_id, part.code, part.carc)
            sums = amounts.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
            sums[0] += part.variance
            sums[1] += part.expected_allowed
            sums[2] += part.paid
            lines[key] = lines.get(key, 0) + 1
            claims.setdefault(key, set()).add(variance.claim_id)
            if key not in oldest or variance.remittance_date < oldest[key]:
                oldest[key] = variance.remittance_date
    return (
        [
            WorklistSum(*key, amount, expected, paid, lines[key], len(claims[key]), oldest[key])
            for key, (amount, expected, paid) in amounts.items()
        ],
        [ClassificationTotal(c, total, counts[c]) for c, total in totals.items()],
    )


def _largest_first(entry: WorklistEntry) -> tuple[Decimal, str, str, str, str]:
    """Largest amount first; ties in one order whatever order the sums came in."""
    return (-abs(entry.amount), entry.payer_id, entry.code, entry.carc, entry.contract_id or "")


def assemble(sums: Iterable[WorklistSum], totals: Iterable[ClassificationTotal]) -> Worklist:
    """The sections drawn from summed parts: each classification's parts in its section, parts of
    one payer, contract, code and CARC one entry, entries largest first."""
    groups = {section: WorklistGroup(section) for section in WorklistSection}
    for total in totals:
        if (section := _SECTIONS.get(total.classification)) is not None:
            groups[section].total += total.total
            groups[section].variance_count += total.variance_count
    keyed: dict[WorklistSection, dict[tuple[str, str | None, str, str], WorklistEntry]] = {
        section: {} for section in WorklistSection
    }
    for part in sums:
        if (section := _SECTIONS.get(part.classification)) is None:
            continue
        key = (part.payer_id, part.contract_id, part.code, part.carc)
        keyed[section].setdefault(key, WorklistEntry(*key)).add(part)
    for section, entries in keyed.items():
        groups[section].entries = sorted(entries.values(), key=_largest_first)
    return Worklist(
        groups[WorklistSection.RECOVERABLE],
        groups[WorklistSection.OVERPAID],
        groups[WorklistSection.NEEDS_REVIEW],
    )
