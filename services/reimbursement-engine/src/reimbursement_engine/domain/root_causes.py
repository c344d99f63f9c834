"""Why a claim was paid other than its contract says: each cause computed from the remittance and
the contract, with the evidence an analyst (or a payer's appeal desk) can check by hand.

A line's payer-allowed amount (paid + patient responsibility, or the 835's AMT*B6) is compared with
what pricing gives under alternatives of the contract: without its escalator (last year's rate),
without its carve-outs (the base rate), with the multiple-procedure reduction switched, under another
contract's or an earlier version's fee schedule, and for the code the payer adjudicated instead of the
one billed. An alternative that gives exactly the allowed amount (to the cent) names the cause. The
835's own words count too: SVC06 (the procedure as billed when SVC01 differs), the modifiers on each
side, CARC 59 (multiple-procedure rules) and the CARC of a denial, grouped as a revenue-cycle team
works them (timely filing, authorization, medical necessity, duplicate, coordination of benefits).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reimbursement_engine.domain.reconciliation import PATIENT_GROUP, CasAmount

ZERO = Decimal(0)
CENT = Decimal("0.01")


class Cause(StrEnum):
    DENIED_TIMELY_FILING = "denied_timely_filing"
    DENIED_AUTHORIZATION = "denied_authorization"
    DENIED_MEDICAL_NECESSITY = "denied_medical_necessity"
    DENIED_DUPLICATE = "denied_duplicate"
    DENIED_COORDINATION_OF_BENEFITS = "denied_coordination_of_benefits"
    PAID_AS_OTHER_CODE = "paid_as_other_code"
    MODIFIER_IGNORED = "modifier_ignored"
    MODIFIER_APPLIED = "modifier_applied"
    MULTIPLE_PROCEDURE_REDUCTION = "multiple_procedure_reduction"
    ESCALATOR_NOT_APPLIED = "escalator_not_applied"
    CARVE_OUT_AT_BASE_RATE = "carve_out_at_base_rate"
    OTHER_FEE_SCHEDULE = "other_fee_schedule"
    UNEXPLAINED = "unexplained"


# the order in which causes explain a variance first (a denial before a rate question)
PRIORITY: tuple[Cause, ...] = tuple(Cause)

# CARC (X12 claim adjustment reason codes) by the denial group a team works them as
DENIAL_GROUPS: dict[str, Cause] = {
    "29": Cause.DENIED_TIMELY_FILING,
    "15": Cause.DENIED_AUTHORIZATION,
    "62": Cause.DENIED_AUTHORIZATION,
    "197": Cause.DENIED_AUTHORIZATION,
    "198": Cause.DENIED_AUTHORIZATION,
    "50": Cause.DENIED_MEDICAL_NECESSITY,
    "55": Cause.DENIED_MEDICAL_NECESSITY,
    "56": Cause.DENIED_MEDICAL_NECESSITY,
    "150": Cause.DENIED_MEDICAL_NECESSITY,
    "151": Cause.DENIED_MEDICAL_NECESSITY,
    "18": Cause.DENIED_DUPLICATE,
    "22": Cause.DENIED_COORDINATION_OF_BENEFITS,
    "23": Cause.DENIED_COORDINATION_OF_BENEFITS,
}
MULTIPLE_PROCEDURE_CARC = "59"
# modifiers whose presence changes the price: bilateral, multiple procedure, distinct procedural
# service, professional and technical components
WATCHED_MODIFIERS = frozenset({"50", "51", "59", "26", "TC"})


class Alternative(StrEnum):
    """How the contract was re-priced to test a cause."""

    NO_ESCALATOR = "no_escalator"
    NO_CARVE_OUT = "no_carve_out"
    MULTIPLE_PROCEDURE_SWITCHED = "multiple_procedure_switched"
    OTHER_VERSION = "other_version"
    PAID_CODE = "paid_code"


_ALTERNATIVE_CAUSE = {
    Alternative.NO_ESCALATOR: Cause.ESCALATOR_NOT_APPLIED,
    Alternative.NO_CARVE_OUT: Cause.CARVE_OUT_AT_BASE_RATE,
    Alternative.MULTIPLE_PROCEDURE_SWITCHED: Cause.MULTIPLE_PROCEDURE_REDUCTION,
    Alternative.OTHER_VERSION: Cause.OTHER_FEE_SCHEDULE,
}
_ALTERNATIVE_WORDS = {
    Alternative.NO_ESCALATOR: "the contract's rate before its escalator",
    Alternative.NO_CARVE_OUT: "the base rate (the carve-out not applied)",
    Alternative.MULTIPLE_PROCEDURE_SWITCHED: "the rate with the multiple-procedure reduction switched",
    Alternative.OTHER_VERSION: "the rate of",
}


@dataclass(frozen=True, slots=True)
class AlternativePrice:
    """What the line is worth under one alternative (`label`: which contract and version)."""

    kind: Alternative
    amount: Decimal
    label: str = ""


@dataclass(frozen=True, slots=True)
class LineFacts:
    """One claim line beside the payer's line (paid_code None: the payer sent no line for it)."""

    line_number: int
    billed_code: str
    expected: Decimal
    variance: Decimal
    allowed: Decimal
    billed_modifiers: tuple[str, ...] = ()
    paid_code: str | None = None
    paid_modifiers: tuple[str, ...] = ()
    original_code: str | None = None  # SVC06
    adjustments: tuple[CasAmount, ...] = ()
    alternatives: tuple[AlternativePrice, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """A variance's claim: its lines, its claim-level adjustments and its claim-level remainder."""

    lines: tuple[LineFacts, ...]
    adjustments: tuple[CasAmount, ...] = ()
    claim_level_variance: Decimal = ZERO  # the part of the variance no line carries


@dataclass(frozen=True, slots=True)
class RootCause:
    cause: Cause
    line_number: int | None  # None: the claim as a whole
    code: str
    amount: Decimal  # the variance the cause explains
    evidence: str


def money(value: Decimal) -> str:
    return f"${value.quantize(CENT):,}"


def _denials(adjustments: Iterable[CasAmount]) -> list[tuple[Cause, CasAmount]]:
    return [
        (DENIAL_GROUPS[a.carc], a)
        for a in adjustments
        if a.group != PATIENT_GROUP and a.carc in DENIAL_GROUPS and a.amount
    ]


def _denial_causes(line: LineFacts) -> list[RootCause]:
    return [
        RootCause(
            cause,
            line.line_number,
            line.billed_code,
            line.variance,
            f"{adjustment.label} {money(adjustment.amount)} on {line.billed_code}",
        )
        for cause, adjustment in _denials(line.adjustments)
    ]


def _other_code(line: LineFacts) -> list[RootCause]:
    if line.paid_code is None:
        return []
    recoded = line.original_code is not None and line.original_code != line.paid_code
    if line.paid_code == line.billed_code and not recoded:
        return []
    words = f"billed {line.billed_code}, the payer adjudicated {line.paid_code} (835 SVC01 {line.paid_code}"
    words += f", SVC06 {line.original_code})" if line.original_code else ")"
    for alt in line.alternatives:
        if alt.kind is Alternative.PAID_CODE and abs(alt.amount - line.allowed) < CENT:
            words += f"; allowed {money(line.allowed)} = the contract's rate for {line.paid_code}"
    return [RootCause(Cause.PAID_AS_OTHER_CODE, line.line_number, line.billed_code, line.variance, words)]


def _modifiers(line: LineFacts) -> list[RootCause]:
    if line.paid_code is None:
        return []
    billed = set(line.billed_modifiers) & WATCHED_MODIFIERS
    paid = set(line.paid_modifiers) & WATCHED_MODIFIERS
    out = []
    for cause, found, side in (
        (Cause.MODIFIER_IGNORED, billed - paid, "billed, not on the payer's line"),
        (Cause.MODIFIER_APPLIED, paid - billed, "on the payer's line, not billed"),
    ):
        if found:
            names = ", ".join(sorted(found))
            out.append(
                RootCause(
                    cause, line.line_number, line.billed_code, line.variance, f"modifier {names} {side}"
                )
            )
    return out


def _multiple_procedure(line: LineFacts) -> list[RootCause]:
    carc = next(
        (a for a in line.adjustments if a.carc == MULTIPLE_PROCEDURE_CARC and a.group != PATIENT_GROUP), None
    )
    if carc is None:
        return []
    words = f"{carc.label} {money(carc.amount)}: processed under multiple-procedure rules"
    return [
        RootCause(
            Cause.MULTIPLE_PROCEDURE_REDUCTION, line.line_number, line.billed_code, line.variance, words
        )
    ]


def _matching_alternatives(line: LineFacts) -> list[RootCause]:
    out = []
    for alt in line.alternatives:
        cause = _ALTERNATIVE_CAUSE.get(alt.kind)
        if cause is None or abs(alt.amount - line.expected) < CENT:
            continue  # not an alternative of this kind, or one that changes nothing
        if abs(alt.amount - line.allowed) >= CENT:
            continue
        what = _ALTERNATIVE_WORDS[alt.kind] + (f" {alt.label}" if alt.label else "")
        words = (
            f"allowed {money(line.allowed)} = {what} for {line.billed_code} ({money(alt.amount)}); "
            f"the contract in force says {money(line.expected)}"
        )
        out.append(RootCause(cause, line.line_number, line.billed_code, line.variance, words))
    return out


def _line_causes(line: LineFacts) -> list[RootCause]:
    found = _denial_causes(line) + _other_code(line) + _modifiers(line) + _multiple_procedure(line)
    known = {c.cause for c in found}
    # an other version's rate that happens to equal the alternative already named adds nothing
    for cause in _matching_alternatives(line):
        if cause.cause not in known:
            found.append(cause)
            known.add(cause.cause)
    if found:
        return found
    carcs = ", ".join(a.label for a in line.adjustments if a.amount) or "no adjustment codes"
    words = f"allowed {money(line.allowed)} of {money(line.expected)} expected ({carcs}); no rule explains it"
    return [RootCause(Cause.UNEXPLAINED, line.line_number, line.billed_code, line.variance, words)]


def _claim_level(facts: ClaimFacts) -> list[RootCause]:
    if not facts.claim_level_variance:
        return []
    denials = _denials(facts.adjustments)
    if denials:
        return [
            RootCause(
                cause, None, "claim", facts.claim_level_variance, f"claim-level {a.label} {money(a.amount)}"
            )
            for cause, a in denials
        ]
    words = (
        f"{money(facts.claim_level_variance)} not carried by any line "
        "(case rate, DRG, stop-loss or claim CAS)"
    )
    return [RootCause(Cause.UNEXPLAINED, None, "claim", facts.claim_level_variance, words)]


def diagnose(facts: ClaimFacts) -> tuple[RootCause, ...]:
    """Every cause of each line with a variance, then of the claim-level remainder."""
    out: list[RootCause] = []
    for line in facts.lines:
        if abs(line.variance) >= CENT:
            out += _line_causes(line)
    return tuple(out + _claim_level(facts))


def primary_cause(causes: Iterable[RootCause]) -> Cause | None:
    """The cause explaining most of the variance (by amount per cause, then PRIORITY): the one the
    variance is worked under on the worklist."""
    totals: dict[Cause, Decimal] = {}
    for cause in causes:
        totals[cause.cause] = totals.get(cause.cause, ZERO) + abs(cause.amount)
    if not totals:
        return None
    return min(totals, key=lambda c: (-totals[c], PRIORITY.index(c)))
