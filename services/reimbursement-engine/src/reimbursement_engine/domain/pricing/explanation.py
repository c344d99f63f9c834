"""Priced results with the steps an analyst reads to check them.

Invariant: a line's (or a case's) amount is the sum of its steps' amounts; steps without an amount
are notes (which term, which rate, which flag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from .money import fmt_money


class StepKind(StrEnum):
    TERM = "term"
    BASE = "base"
    SCHEDULE = "medicare schedule"  # a factor of a facility or supply schedule's payment, no amount
    ESCALATOR = "escalator"
    MULTIPLE_PROCEDURE = "multiple procedure reduction"
    LESSER_OF = "lesser of charges"
    OUTLIER = "outlier"
    STOP_LOSS = "stop-loss"
    FLOOR = "floor"
    INCLUDED = "included"
    CAPITATED = "capitated"
    NOT_COVERED = "not covered"
    UNPRICED = "unpriced"
    CHECK = "check"  # a note on the claim's data (e.g. per diem days against the stay), no amount


class LineStatus(StrEnum):
    PRICED = "priced"
    INCLUDED = "included"  # paid within a case rate, DRG or per diem
    CAPITATED = "capitated"
    NOT_COVERED = "not covered"
    UNPRICED = "unpriced"  # a term applies but its reference data is missing

    @property
    def is_unpriced(self) -> bool:
        """Pricing could not say what the line should allow (its $0 is not a price)."""
        return self in (LineStatus.UNPRICED, LineStatus.NOT_COVERED)


class PricingCompleteness(StrEnum):
    """Whether every line (and claim-level case) of a claim got a price."""

    FULLY_PRICED = "fully_priced"
    PARTLY_PRICED = "partly_priced"
    UNPRICED = "unpriced"


def _reason(steps: tuple[Step, ...], kinds: tuple[StepKind, ...]) -> str | None:
    return next((step.text for step in steps if step.kind in kinds), None)


class Step(NamedTuple):
    """One line of the explanation; `amount` is the signed change it makes (None for a note).

    The text is kept as a `str.format` template and its arguments and only formatted when read:
    most priced lines are stored, few are read. A named tuple, not a dataclass: a claim makes
    about four steps a line, and a tuple is built in a third of a frozen dataclass's time.
    (Storing many explanations renders them with `adapters.explanation_text`, which gives the
    same text faster.)
    """

    kind: StepKind
    template: str
    args: tuple[object, ...] = ()
    amount: Decimal | None = None

    @property
    def text(self) -> str:
        return self.template.format(*self.args) if self.args else self.template

    def __str__(self) -> str:
        return _render(self)


@dataclass(frozen=True, slots=True)
class PricedLine:
    """Expected allowed for one claim line."""

    line_number: int
    code: str
    status: LineStatus
    term: str | None
    charge: Decimal
    expected_allowed: Decimal
    steps: tuple[Step, ...]
    flags: tuple[str, ...] = ()

    @property
    def unpriced_reason(self) -> str | None:
        """Why the line has no price (None when it has one, or is paid within a case)."""
        if not self.status.is_unpriced:
            return None
        return _reason(self.steps, (StepKind.UNPRICED, StepKind.NOT_COVERED)) or str(self.status)


@dataclass(frozen=True, slots=True)
class PricedCase:
    """A claim-level payment: case rate, DRG payment or stop-loss add-on."""

    term: str
    expected_allowed: Decimal
    steps: tuple[Step, ...]
    flags: tuple[str, ...] = ()

    @property
    def unpriced_reason(self) -> str | None:
        return _reason(self.steps, (StepKind.UNPRICED,))


@dataclass(frozen=True, slots=True)
class PricedClaim:
    """Expected allowed for a claim = sum of its lines + its claim-level payments (all in cents)."""

    patient_control_number: str
    contract: str
    priced_as_of: date
    lines: tuple[PricedLine, ...]
    cases: tuple[PricedCase, ...]
    total_charges: Decimal
    expected_allowed: Decimal

    @property
    def flags(self) -> tuple[str, ...]:
        line_flags = [flag for line in self.lines for flag in line.flags]
        unpriced = [
            f"line {line.line_number} {line.code}: unpriced: {line.unpriced_reason}"
            for line in self.lines
            if line.unpriced_reason is not None
        ]
        return (*line_flags, *unpriced, *(flag for case in self.cases for flag in case.flags))

    @property
    def completeness(self) -> PricingCompleteness:
        """Fully priced; partly (some lines or cases have no price); or unpriced (none has)."""
        unpriced = sum(1 for line in self.lines if line.status.is_unpriced)
        unpriced += sum(1 for case in self.cases if case.unpriced_reason is not None)
        if unpriced == 0:
            return PricingCompleteness.FULLY_PRICED
        priced = sum(1 for line in self.lines if line.status is LineStatus.PRICED)
        priced += sum(1 for case in self.cases if case.unpriced_reason is None)
        return PricingCompleteness.PARTLY_PRICED if priced else PricingCompleteness.UNPRICED

    def explain(self) -> str:
        """The whole explanation as text, line by line."""
        out = [
            f"Claim {self.patient_control_number}, {self.contract}, priced {self.priced_as_of}: "
            f"charges {fmt_money(self.total_charges)}, "
            f"expected allowed {fmt_money(self.expected_allowed)}"
        ]
        for line in self.lines:
            out.append(
                f"  line {line.line_number} {line.code} ["
                + line.status
                + "] "
                + fmt_money(line.expected_allowed)
            )
            out.extend(["    " + _render(step) for step in line.steps])
        for case in self.cases:
            out.append(f"  claim-level {case.term} {fmt_money(case.expected_allowed)}")
            out.extend(["    " + _render(step) for step in case.steps])
        return "\n".join(out)


def _render(step: Step) -> str:
    text = step.text
    if step.amount is None:
        return f"{step.kind}: {text}"
    return f"{step.kind}: {text} = {fmt_money(step.amount)}"
