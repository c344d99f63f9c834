"""Reconciliation: what the payer paid against what the contract says it should allow.

variance = expected allowed - (paid + patient responsibility), per line and per claim. A positive
variance is money the payer still owes (underpaid); a negative one, money it overpaid.

A claim with lines pricing could not price has an expected allowed that is only a floor: a
shortfall below it is certain (underpaid, denied), but paying more than it, or exactly it, says
nothing about the unpriced lines, so such a claim needs review, never "overpaid".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)
DENIED_STATUS = "4"
PATIENT_GROUP = "PR"
# A claim within this many dollars of its expected amount is paid as expected.
DEFAULT_TOLERANCE = Decimal("1.00")


class Classification(StrEnum):
    PAID_AS_EXPECTED = "paid_as_expected"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    DENIED = "denied"
    PARTLY_DENIED = "partly_denied"
    NEEDS_REVIEW = "needs_review"  # a line could not be priced: the payment cannot be judged

    @property
    def is_variance(self) -> bool:
        return self is not Classification.PAID_AS_EXPECTED


@dataclass(frozen=True, slots=True)
class CasAmount:
    """One adjustment: group (CO, PR, OA, PI, CR), CARC and amount."""

    group: str
    carc: str
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.group}-{self.carc}"


@dataclass(frozen=True, slots=True)
class ExpectedLine:
    line_number: int
    code: str
    expected_allowed: Decimal


@dataclass(frozen=True, slots=True)
class PaidLine:
    code: str | None
    paid: Decimal
    adjustments: tuple[CasAmount, ...] = ()
    line_control_number: str | None = None
    original_code: str | None = None  # 835 SVC06: the code billed when the payer adjudicated another

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.group == PATIENT_GROUP), ZERO)


@dataclass(frozen=True, slots=True)
class PaidClaim:
    status_code: str
    paid: Decimal
    patient_responsibility: Decimal | None
    adjustments: tuple[CasAmount, ...] = ()
    lines: tuple[PaidLine, ...] = ()

    @property
    def all_adjustments(self) -> tuple[CasAmount, ...]:
        return self.adjustments + tuple(a for line in self.lines for a in line.adjustments)

    @property
    def total_patient_responsibility(self) -> Decimal:
        if self.patient_responsibility is not None:
            return self.patient_responsibility
        return sum((a.amount for a in self.all_adjustments if a.group == PATIENT_GROUP), ZERO)


@dataclass(frozen=True, slots=True)
class LineVariance:
    line_number: int
    code: str
    carc: str
    expected_allowed: Decimal
    paid: Decimal
    patient_responsibility: Decimal

    @property
    def variance(self) -> Decimal:
        return self.expected_allowed - (self.paid + self.patient_responsibility)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    classification: Classification
    expected_allowed: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    carcs: tuple[str, ...]
    lines: tuple[LineVariance, ...]

    @property
    def variance(self) -> Decimal:
        return self.expected_allowed - (self.paid + self.patient_responsibility)


def _main_carc(adjustments: tuple[CasAmount, ...]) -> str:
    """The adjustment that explains a shortfall: the largest non-patient one, else any."""
    payer = [a for a in adjustments if a.group != PATIENT_GROUP and a.amount]
    chosen = max(payer, key=lambda a: a.amount) if payer else next(iter(adjustments), None)
    return "" if chosen is None else chosen.label


def pair_lines(expected: tuple[ExpectedLine, ...], paid: tuple[PaidLine, ...]) -> dict[int, PaidLine]:
    """Paid lines by the claim line they pay: by line control number, else by code in order (the
    code adjudicated, or the one billed as SVC06 names it)."""
    open_lines = {line.line_number: line for line in expected}
    paired: dict[int, PaidLine] = {}
    for paid_line in paid:
        target = None
        number = paid_line.line_control_number
        if number and number.isdigit():
            target = open_lines.get(int(number))
        if target is None:
            codes = (paid_line.code, paid_line.original_code)
            target = next((e for e in open_lines.values() if e.code in codes), None)
        if target is not None:
            paired[target.line_number] = paid_line
            del open_lines[target.line_number]
    return paired


def match_lines(
    expected: tuple[ExpectedLine, ...],
    paid: tuple[PaidLine, ...],
    paired: dict[int, PaidLine] | None = None,
) -> list[LineVariance]:
    """Each claim line with what its paid line (see pair_lines; `paired` when already known) paid."""
    if paired is None:
        paired = pair_lines(expected, paid)
    out = []
    for line in expected:
        got = paired.get(line.line_number)
        paid_amount, pr = (ZERO, ZERO) if got is None else (got.paid, got.patient_responsibility)
        carc = "" if got is None else _main_carc(got.adjustments)
        out.append(LineVariance(line.line_number, line.code, carc, line.expected_allowed, paid_amount, pr))
    return out


_FLOOR_ONLY = (Classification.OVERPAID, Classification.PAID_AS_EXPECTED)


def classify(
    expected: Decimal,
    claim: PaidClaim,
    lines: list[LineVariance],
    tolerance: Decimal,
    fully_priced: bool = True,
) -> Classification:
    found = _classify_priced(expected, claim, lines, tolerance)
    if not fully_priced and found in _FLOOR_ONLY:
        return Classification.NEEDS_REVIEW
    return found


def _classify_priced(
    expected: Decimal, claim: PaidClaim, lines: list[LineVariance], tolerance: Decimal
) -> Classification:
    received = claim.paid + claim.total_patient_responsibility
    if claim.status_code == DENIED_STATUS or (received == ZERO and expected > ZERO):
        return Classification.DENIED
    denied_lines = [
        line
        for line in lines
        if line.expected_allowed > ZERO and line.paid + line.patient_responsibility == ZERO and line.carc
    ]
    variance = expected - received
    if denied_lines and len(denied_lines) < len(lines) and variance > tolerance:
        return Classification.PARTLY_DENIED
    if variance > tolerance:
        return Classification.UNDERPAID
    if variance < -tolerance:
        return Classification.OVERPAID
    return Classification.PAID_AS_EXPECTED


def reconcile(
    expected_lines: tuple[ExpectedLine, ...],
    expected_total: Decimal,
    claim: PaidClaim,
    tolerance: Decimal,
    fully_priced: bool = True,
    paired: dict[int, PaidLine] | None = None,
) -> Reconciliation:
    """Line and claim variances and the claim's classification (tolerance: absolute dollars);
    `fully_priced` False when pricing left a line or case without a price; `paired`: the claim's
    `pair_lines`, when the caller has it already."""
    if claim.lines:
        lines = match_lines(expected_lines, claim.lines, paired)
    else:
        carc = _main_carc(claim.adjustments)
        pr = claim.total_patient_responsibility
        lines = [LineVariance(0, "*", carc, expected_total, claim.paid, pr)]
    carcs = tuple(sorted({a.label for a in claim.all_adjustments if a.group != PATIENT_GROUP}))
    return Reconciliation(
        classify(expected_total, claim, lines, tolerance, fully_priced),
        expected_total,
        claim.paid,
        claim.total_patient_responsibility,
        carcs,
        tuple(lines),
    )
