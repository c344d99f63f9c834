"""Base amount of a line under its term's methodology (before reductions and lesser-of)."""

from __future__ import annotations

from decimal import Decimal

from .codes import CodeSystem, Setting
from .explanation import LineStatus, StepKind
from .medicare import MedicareQuote
from .money import HUNDRED, fmt_money, fmt_percent, percent_of, to_cents
from .terms import (
    Capitation,
    FeeScheduleRate,
    Included,
    InvoiceCostPlus,
    PercentOfCharges,
    PercentOfMedicare,
    PerDiem,
)
from .work import LineWork, PricingContext


def _units(units: Decimal) -> str:
    return f"{units.normalize():f} unit" + ("" if units == 1 else "s")


def _rate_times_units(work: LineWork, ctx: PricingContext, rate: Decimal, source: str) -> None:
    """rate x units, then the escalator's increase as its own step."""
    units = work.line.units
    work.add(StepKind.BASE, f"{source}: {fmt_money(rate)} x {_units(units)}", to_cents(rate * units))
    assert work.term is not None
    if not work.term.escalate:
        return
    escalation = ctx.escalation_on(work.line.service_date)
    if escalation.steps:
        escalated = escalation.apply(rate)
        increase = to_cents(escalated * units) - to_cents(rate * units)
        text = f"{escalation.describe()}: rate {fmt_money(rate)} -> {fmt_money(escalated)}"
        work.add(StepKind.ESCALATOR, text, increase)


def price_fee_schedule(work: LineWork, ctx: PricingContext, method: FeeScheduleRate) -> None:
    line = work.line
    row = method.fee_schedule.lookup(
        line.code_system, line.code, line.modifiers, work.place_of_service, work.setting,
        line.service_date,
    )
    if row is None:
        text = f"no row for {line.code_system.value} {line.code} on {line.service_date} " \
               f"in fee schedule {method.fee_schedule.name}"
        work.settle(LineStatus.UNPRICED, StepKind.UNPRICED, text)
        return
    _rate_times_units(work, ctx, row.rate, row.source())


def price_percent_of_medicare(
    work: LineWork, ctx: PricingContext, method: PercentOfMedicare
) -> None:
    line = work.line
    locality = ctx.claim.medicare_locality or method.locality
    quote = ctx.medicare.quote(
        line.code, line.modifiers, locality, work.setting, line.service_date
    )
    if not isinstance(quote, MedicareQuote):
        work.settle(LineStatus.UNPRICED, StepKind.UNPRICED, quote)
        return
    work.mppr_eligible = quote.rvu.mppr_eligible
    amount = to_cents(percent_of(quote.amount, method.percent) * line.units)
    text = (
        f"{fmt_percent(method.percent)} x {quote.source()} {fmt_money(quote.amount)} "
        f"x {_units(line.units)}"
    )
    work.add(StepKind.BASE, text, amount)
    if quote.setting is Setting.NON_FACILITY and quote.rvu.non_facility_na:
        work.flags.append(f"line {line.line_number}: Medicare lists no non-facility rate for "
                          f"{line.code} (NA indicator)")


def price_percent_of_charges(
    work: LineWork, ctx: PricingContext, method: PercentOfCharges
) -> None:
    charge = work.line.charge
    text = f"{fmt_percent(method.percent)} x billed charges {fmt_money(charge)}"
    work.add(StepKind.BASE, text, to_cents(percent_of(charge, method.percent)))


def price_per_diem(work: LineWork, ctx: PricingContext, method: PerDiem) -> None:
    line = work.line
    revenue_code = line.code if line.code_system is CodeSystem.REVENUE else line.revenue_code
    level = None if revenue_code is None else method.level_for(revenue_code)
    if level is None:
        text = f"no per diem level of care for revenue code {revenue_code}"
        work.settle(LineStatus.UNPRICED, StepKind.UNPRICED, text)
        return
    source = f"per diem {level.name} (revenue code {revenue_code}), days = units"
    _rate_times_units(work, ctx, level.rate, source)


def price_invoice_cost_plus(
    work: LineWork, ctx: PricingContext, method: InvoiceCostPlus
) -> None:
    cost = work.line.invoice_cost
    if cost is None:
        work.settle(LineStatus.UNPRICED, StepKind.UNPRICED, "invoice cost needed, none on line")
        return
    amount = to_cents(cost * (HUNDRED + method.markup_percent) / HUNDRED)
    text = f"invoice cost {fmt_money(cost)} + {fmt_percent(method.markup_percent)}"
    work.add(StepKind.BASE, text, amount)


def price_included(work: LineWork, ctx: PricingContext, method: Included) -> None:
    work.settle(LineStatus.INCLUDED, StepKind.INCLUDED, f"included in {method.included_in}")


def price_capitated(work: LineWork, ctx: PricingContext, method: Capitation) -> None:
    text = f"capitated: paid {fmt_money(method.pmpm)} PMPM outside claims, expected 0 per claim"
    work.settle(LineStatus.CAPITATED, StepKind.CAPITATED, text)


def price_base(work: LineWork, ctx: PricingContext) -> None:
    """Dispatch to the line's methodology."""
    assert work.term is not None
    method = work.term.methodology
    match method:
        case FeeScheduleRate():
            price_fee_schedule(work, ctx, method)
        case PercentOfMedicare():
            price_percent_of_medicare(work, ctx, method)
        case PercentOfCharges():
            price_percent_of_charges(work, ctx, method)
        case PerDiem():
            price_per_diem(work, ctx, method)
        case InvoiceCostPlus():
            price_invoice_cost_plus(work, ctx, method)
        case Included():
            price_included(work, ctx, method)
        case Capitation():
            price_capitated(work, ctx, method)
        case _:
            raise TypeError(f"{type(method).__name__} prices a case, not a line")
