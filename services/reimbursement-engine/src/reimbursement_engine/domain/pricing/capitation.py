"""Capitation: PMPM x member months, paid per period rather than per claim."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from .escalators import NO_ESCALATION, Escalator, escalation_on
from .explanation import PricedCase, Step, StepKind
from .money import ZERO, fmt_money, to_cents
from .terms import Capitation, PaymentTerm


def capitation_payment(
    term: PaymentTerm,
    member_months: Decimal,
    period_start: date,
    escalator: Escalator | None = None,
) -> PricedCase:
    """Expected capitation for a period: (escalated) PMPM x member months, in cents."""
    method = term.methodology
    if not isinstance(method, Capitation):
        raise TypeError(f"term {term.name} is not a capitation term")
    pmpm = method.pmpm
    base = to_cents(pmpm * member_months)
    text = f"{fmt_money(pmpm)} PMPM x {member_months.normalize():f} member months"
    steps = [Step(StepKind.BASE, text, amount=base)]
    escalation = NO_ESCALATION
    if escalator is not None and term.escalate:
        escalation = escalation_on(escalator, period_start)
    if escalation.steps:
        escalated = escalation.apply(pmpm)
        increase = to_cents(escalated * member_months) - base
        steps.append(
            Step(
                StepKind.ESCALATOR,
                f"{escalation.description}: PMPM {fmt_money(pmpm)} -> {fmt_money(escalated)}",
                amount=increase,
            )
        )
    total = sum((s.amount for s in steps if s.amount is not None), ZERO)
    return PricedCase(term.name, total, tuple(steps))


def member_months(monthly_member_counts: Iterable[int]) -> Decimal:
    """Member months of a period from the member count of each month (the payer's roster)."""
    return Decimal(sum(monthly_member_counts))
