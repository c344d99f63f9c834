"""Claim-level payments: case rate, MS-DRG (+ outlier) and the contract's stop-loss."""

from __future__ import annotations

from decimal import Decimal

from .explanation import PricedCase, Step, StepKind
from .money import ZERO, fmt_money, fmt_percent, percent_of, to_cents
from .terms import CaseRate, MsDrg, Outlier, PaymentTerm
from .work import PricingContext


def _outlier_step(outlier: Outlier, charges: Decimal, kind: StepKind) -> Step | None:
    """percent x (charges - threshold) when charges exceed the threshold."""
    if charges <= outlier.charge_threshold:
        return None
    excess = charges - outlier.charge_threshold
    text = (
        f"{fmt_percent(outlier.percent)} x charges above {fmt_money(outlier.charge_threshold)} "
        f"({fmt_money(charges)} - {fmt_money(outlier.charge_threshold)} = {fmt_money(excess)})"
    )
    return Step(kind, text, amount=to_cents(percent_of(excess, outlier.percent)))


def _escalated(
    rate: Decimal, term: PaymentTerm, ctx: PricingContext, multiplier: Decimal, what: str
) -> Step | None:
    """The escalator's increase on a case's dollar rate (multiplier: DRG weight, or 1)."""
    if not term.escalate:
        return None
    escalation = ctx.escalation_on(ctx.claim.service_from)
    if not escalation.steps:
        return None
    escalated = escalation.apply(rate)
    increase = to_cents(escalated * multiplier) - to_cents(rate * multiplier)
    text = f"{escalation.description}: {what} {fmt_money(rate)} -> {fmt_money(escalated)}"
    return Step(StepKind.ESCALATOR, text, amount=increase)


def _base_steps(term: PaymentTerm, ctx: PricingContext) -> list[Step | None]:
    method = term.methodology
    if isinstance(method, CaseRate):
        base = Step(StepKind.BASE, f"case rate {fmt_money(method.rate)}", amount=method.rate)
        return [base, _escalated(method.rate, term, ctx, Decimal(1), "case rate")]
    assert isinstance(method, MsDrg)
    drg = ctx.claim.drg
    weight, source = _drg_weight(method, ctx)
    if weight is None:
        return [Step(StepKind.UNPRICED, f"no relative weight for MS-DRG {drg}", amount=ZERO)]
    text = f"MS-DRG {drg} relative weight {weight}{source} x base rate {fmt_money(method.base_rate)}"
    base = Step(StepKind.BASE, text, amount=to_cents(weight * method.base_rate))
    return [base, _escalated(method.base_rate, term, ctx, weight, "base rate")]


def _drg_weight(method: MsDrg, ctx: PricingContext) -> tuple[Decimal | None, str]:
    """The term's own weight for the DRG, else CMS's for the fiscal year of discharge."""
    drg = ctx.claim.drg
    if drg is None:
        return None, ""
    weight = method.relative_weights.get(drg)
    if weight is not None:
        return weight, " (contract)"
    discharged = ctx.claim.discharge_date or ctx.claim.service_to
    found = ctx.medicare.drg_weight(drg, discharged)
    if found is None:
        return None, ""
    return found[0], f" (CMS FY{found[1]} table)"


def price_case(term: PaymentTerm, ctx: PricingContext, case_charges: Decimal) -> PricedCase:
    """One case payment; `case_charges` are the charges of the lines it includes."""
    method = term.methodology
    assert isinstance(method, CaseRate | MsDrg)
    steps = [Step(StepKind.TERM, f"{term.name}: {term.category.description}, {ctx.contract.label}")]
    steps.extend(s for s in _base_steps(term, ctx) if s is not None)
    if method.outlier is not None and steps[-1].kind is not StepKind.UNPRICED:
        outlier = _outlier_step(method.outlier, case_charges, StepKind.OUTLIER)
        if outlier is not None:
            steps.append(outlier)
    amount = sum((s.amount for s in steps if s.amount is not None), ZERO)
    if term.lesser_of_charges and case_charges < amount:
        text = f"charges {fmt_money(case_charges)} below case amount {fmt_money(amount)}"
        steps.append(Step(StepKind.LESSER_OF, text, amount=case_charges - amount))
        amount = case_charges
    flags = tuple(f"{term.name}: {s.text}" for s in steps if s.kind is StepKind.UNPRICED)
    return PricedCase(term.name, amount, tuple(steps), flags)


def price_stop_loss(ctx: PricingContext) -> PricedCase | None:
    """The contract's stop-loss add-on on the whole claim's charges, if they pass the threshold."""
    stop_loss = ctx.contract.stop_loss
    if stop_loss is None:
        return None
    step = _outlier_step(stop_loss, ctx.claim.total_charges, StepKind.STOP_LOSS)
    if step is None or step.amount is None:
        return None
    return PricedCase("stop-loss", step.amount, (step,))
