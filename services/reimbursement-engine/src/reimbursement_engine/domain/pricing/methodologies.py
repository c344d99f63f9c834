"""Base amount of a line under its term's methodology (before reductions and lesser-of).

Step texts are templates formatted only when read ("${0:,.2f}" is a dollar amount).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .claim import ClaimLine
from .codes import CodeSystem, Setting
from .explanation import LineStatus, StepKind
from .fee_schedule import RateKind
from .medicare import LocalityKey, MedicareQuote
from .medicare_modifiers import NotPayable, payment_policy
from .money import HUNDRED, ZERO, percent_of, to_cents
from .schedule_lines import price_from_schedule
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


def _rate_times_units(work: LineWork, ctx: PricingContext, rate: Decimal, source: str) -> None:
    """rate x units, then the escalator's increase as its own step."""
    units = work.line.units
    base = to_cents(rate * units)
    shown = units.normalize()  # 1 and 1.00 (as stored, when re-priced) both read "1 unit(s)"
    work.add(StepKind.BASE, "{0}: ${1:,.2f} x {2:f} unit(s)", source, rate, shown, amount=base)
    assert work.term is not None
    if not work.term.escalate:
        return
    escalation = ctx.escalation_on(work.line.service_date)
    if escalation.steps:
        escalated = escalation.apply(rate)
        increase = to_cents(escalated * units) - base
        template = "{0}: rate ${1:,.2f} -> ${2:,.2f}"
        work.add(StepKind.ESCALATOR, template, escalation.description, rate, escalated, amount=increase)


def price_fee_schedule(work: LineWork, ctx: PricingContext, method: FeeScheduleRate) -> None:
    line = work.line
    row = method.fee_schedule.lookup(
        line.code_system,
        line.code,
        line.modifiers,
        work.place_of_service,
        work.setting,
        line.service_date,
    )
    if row is None:
        template = "no row for {0} {1} on {2} in fee schedule {3}"
        work.settle(
            LineStatus.UNPRICED,
            StepKind.UNPRICED,
            template,
            line.code_system.value,
            line.code,
            line.service_date,
            method.fee_schedule.name,
        )
        return
    if row.kind is RateKind.PERCENT_OF_MEDICARE:
        _medicare_base(work, ctx, row.rate, None, None, row.source)
    elif row.kind is RateKind.PERCENT_OF_CHARGES:
        _charges_base(work, row.rate, row.source)
    else:
        _rate_times_units(work, ctx, row.rate, row.source)


def in_basis_year(service_date: date, basis_year: int | None) -> date:
    """The date whose Medicare data prices the line: the same month and day of the basis year."""
    if basis_year is None or basis_year == service_date.year:
        return service_date
    if service_date.month == 2 and service_date.day == 29:
        return date(basis_year, 2, 28)
    return service_date.replace(year=basis_year)


def _medicare_base(
    work: LineWork,
    ctx: PricingContext,
    percent: Decimal,
    locality: LocalityKey | None,
    basis_year: int | None,
    source: str | None,
) -> None:
    """percent x Medicare allowed x units (for a % of Medicare term or fee schedule row)."""
    line = work.line
    locality = ctx.claim.medicare_locality or locality or ctx.claim.site_locality
    on = in_basis_year(line.service_date, basis_year)
    quote = ctx.medicare.quote(line.code, line.modifiers, locality, work.setting, on)
    if not isinstance(quote, MedicareQuote):
        work.settle(LineStatus.UNPRICED, StepKind.UNPRICED, quote)
        return
    work.mppr_eligible = quote.rvu.mppr_eligible
    allowed, policy_text = _with_policy(work, quote)
    work.medicare_amount, work.mult_proc = allowed, quote.rvu.mult_proc
    amount = to_cents(percent_of(allowed, percent) * line.units)
    template = "{0:f}% x {1} ${2:,.2f}" + policy_text + " x {3:f} unit(s)"
    if basis_year is not None:
        template += f" (basis year {basis_year})"
    if source is not None:
        template = "{4}: " + template
    args = (percent, quote.source, quote.amount, line.units.normalize(), source, allowed)
    work.add(StepKind.BASE, template, *args, amount=amount)
    if locality is None:
        work.flags.append(
            f"line {line.line_number} {line.code}: no Medicare locality on the claim, its term or its "
            "location, national GPCIs used"
        )
    if quote.setting is Setting.NON_FACILITY and quote.rvu.non_facility_na:
        work.flags.append(f"line {line.line_number} {line.code}: Medicare has no non-facility rate (NA)")


def _with_policy(work: LineWork, quote: MedicareQuote) -> tuple[Decimal, str]:
    """Medicare allowed per unit after the line's payment policy modifiers (50, 62, 80/81/82, AS),
    and the text the base step adds (naming each modifier, its indicator and its percentage)."""
    policy = payment_policy(quote.rvu, work.line.modifiers)
    if policy is None:
        return quote.amount, ""
    if isinstance(policy, NotPayable):
        return ZERO, f", {_escape(policy)}: $0.00"
    if policy.note:
        work.flags.append(f"line {work.line.line_number} {work.line.code}: {policy.note}")
    allowed = to_cents(percent_of(quote.amount, policy.percent))
    return allowed, f", {_escape(policy.text)} = ${{5:,.2f}}"


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def price_percent_of_medicare(work: LineWork, ctx: PricingContext, method: PercentOfMedicare) -> None:
    quote = ctx.schedule_quotes.get(work.line.line_number)
    if quote is not None:
        why = ctx.schedule_basis[work.line.line_number][1]
        price_from_schedule(work, method.percent, quote, why)
        return
    _medicare_base(work, ctx, method.percent, method.locality, method.basis_year, None)


def _charges_base(work: LineWork, percent: Decimal, source: str | None) -> None:
    charge = work.line.charge
    amount = to_cents(percent_of(charge, percent))
    template = "{0:f}% x billed charges ${1:,.2f}"
    if source is not None:
        template = "{2}: " + template
    work.add(StepKind.BASE, template, percent, charge, source, amount=amount)


def price_percent_of_charges(work: LineWork, ctx: PricingContext, method: PercentOfCharges) -> None:
    _charges_base(work, method.percent, None)


def price_per_diem(work: LineWork, ctx: PricingContext, method: PerDiem) -> None:
    line = work.line
    revenue_code = line.code if line.code_system is CodeSystem.REVENUE else line.revenue_code
    level = None if revenue_code is None else method.level_for(revenue_code)
    if level is None:
        work.settle(
            LineStatus.UNPRICED,
            StepKind.UNPRICED,
            "no per diem level of care for revenue code {0}",
            revenue_code,
        )
        return
    source = f"per diem {level.name} (revenue code {revenue_code}), days = units"
    _rate_times_units(work, ctx, level.rate, source)
    _check_days(work, ctx, method)


def _room_and_board(line: ClaimLine) -> str | None:
    return line.code if line.code_system is CodeSystem.REVENUE else line.revenue_code


def _check_days(work: LineWork, ctx: PricingContext, method: PerDiem) -> None:
    """With admission and discharge dates, the per diem lines' units should be the days of the stay
    (discharge - admission; the discharge day is not a day, a same-day stay is 1). Noted once, on
    the claim's first per diem line."""
    claim = ctx.claim
    if claim.admission_date is None or claim.discharge_date is None:
        return
    lines = [ln for ln in claim.lines if (code := _room_and_board(ln)) and method.level_for(code)]
    if not lines or lines[0].line_number != work.line.line_number:
        return
    days = max((claim.discharge_date - claim.admission_date).days, 1)
    billed = sum((ln.units for ln in lines), Decimal(0))
    if billed == days:
        return
    text = (
        f"per diem days billed {billed:f} (units of {len(lines)} room-and-board line(s)) "
        f"!= {days} day(s) from admission {claim.admission_date} to discharge {claim.discharge_date}"
    )
    work.add(StepKind.CHECK, "{0}", text)
    work.flags.append(f"line {work.line.line_number} {work.line.code}: {text}")


def price_invoice_cost_plus(work: LineWork, ctx: PricingContext, method: InvoiceCostPlus) -> None:
    cost = work.line.invoice_cost
    if cost is None:
        work.settle(LineStatus.UNPRICED, StepKind.UNPRICED, "invoice cost needed, none on line")
        return
    amount = to_cents(cost * (HUNDRED + method.markup_percent) / HUNDRED)
    work.add(StepKind.BASE, "invoice cost ${0:,.2f} + {1:f}%", cost, method.markup_percent, amount=amount)


def price_included(work: LineWork, ctx: PricingContext, method: Included) -> None:
    work.settle(LineStatus.INCLUDED, StepKind.INCLUDED, "included in {0}", method.included_in)


def price_capitated(work: LineWork, ctx: PricingContext, method: Capitation) -> None:
    template = "capitated: paid ${0:,.2f} PMPM outside claims, 0 per claim"
    work.settle(LineStatus.CAPITATED, StepKind.CAPITATED, template, method.pmpm)


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
