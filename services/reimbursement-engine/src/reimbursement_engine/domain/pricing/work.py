"""Mutable per-line working state while a claim is priced (internal; frozen into PricedLine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .claim import Claim, ClaimLine
from .codes import Setting
from .escalators import NO_ESCALATION, Escalation, escalation_on
from .explanation import LineStatus, PricedLine, Step, StepKind
from .medicare import MedicareReference
from .money import ZERO
from .terms import ContractTerms, PaymentTerm


@dataclass(slots=True)
class LineWork:
    line: ClaimLine
    place_of_service: str | None
    setting: Setting
    term: PaymentTerm | None = None
    status: LineStatus = LineStatus.PRICED
    amount: Decimal = ZERO
    steps: list[Step] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    mppr_eligible: bool = False
    carved_out: bool = False
    # Medicare allowed per unit after the payment policy modifiers, and the code's MULT PROC
    # indicator, when the line is priced from the physician fee schedule (for modifier 51)
    medicare_amount: Decimal | None = None
    mult_proc: str = ""

    def add(self, kind: StepKind, template: str, *args: object, amount: Decimal | None = None) -> None:
        """Record a step; its amount (a signed change) is added to the line amount."""
        self.steps.append(Step(kind, template, args, amount))
        if amount is not None:
            self.amount += amount

    def settle(self, status: LineStatus, kind: StepKind, template: str, *args: object) -> None:
        """End the line at zero with a reason (included, capitated, not covered, unpriced)."""
        self.status = status
        self.steps.append(Step(kind, template, args, ZERO))

    def frozen(self) -> PricedLine:
        return PricedLine(
            line_number=self.line.line_number,
            code=self.line.code,
            status=self.status,
            term=None if self.term is None else self.term.name,
            charge=self.line.charge,
            expected_allowed=self.amount,
            steps=tuple(self.steps),
            flags=tuple(self.flags),
        )


@dataclass(slots=True)
class PricingContext:
    """What pricing one claim needs."""

    claim: Claim
    contract: ContractTerms
    medicare: MedicareReference

    def escalation_on(self, service_date: date) -> Escalation:
        escalator = self.contract.escalator
        if escalator is None:
            return NO_ESCALATION
        return escalation_on(escalator, service_date)
