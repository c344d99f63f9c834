"""Before lines are priced: which Medicare schedule each "% of Medicare" line is a percentage of, and
(for ASC and OPPS, whose discounting and packaging look across the claim) Medicare's payment for
every such line; then the line's contract amount = percent x that payment."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from .asc import AscRelease
from .asc_pricing import asc_quotes
from .claim import ClaimLine
from .dmepos_area import dmepos_area
from .explanation import LineStatus, StepKind
from .money import fmt_money, fmt_percent, percent_of, to_cents
from .opps import OppsRelease
from .opps_pricing import opps_quotes
from .schedule_quote import ScheduleQuote
from .schedules import Basis, basis_by_setting, in_force
from .supply_pricing import clfs_quote, dmepos_quote
from .terms import PercentOfMedicare
from .work import LineWork, PricingContext


def quote_schedules(works: list[LineWork], ctx: PricingContext) -> None:
    """Fill `ctx.schedule_quotes` for the lines a % of Medicare term prices off the PFS."""
    groups: defaultdict[tuple[Basis, date], list[ClaimLine]] = defaultdict(list)
    for work in works:
        method = None if work.term is None else work.term.methodology
        if not isinstance(method, PercentOfMedicare):
            continue
        basis, why = _basis(method, work, ctx)
        if (
            method.basis is None
            and basis is not Basis.PFS
            and not _loaded(basis, work.line.service_date, ctx)
        ):
            # terms without a basis priced on the PFS before the other schedules existed: until the
            # setting's schedule is loaded for the date they still do, and the line says so
            line = work.line
            work.flags.append(
                f"line {line.line_number} {line.code}: {why} means Medicare {basis.value}, but no "
                f"{basis.value} release is loaded for {line.service_date}: priced on the physician fee "
                "schedule"
            )
            basis = Basis.PFS
        ctx.schedule_basis[work.line.line_number] = (basis, why)
        if basis is not Basis.PFS:
            groups[(basis, _release_key(basis, work.line.service_date, ctx))].append(work.line)
    for (basis, _), lines in groups.items():
        ctx.schedule_quotes.update(_quotes(basis, lines, ctx))


def _basis(method: PercentOfMedicare, work: LineWork, ctx: PricingContext) -> tuple[Basis, str]:
    if method.basis is not None:
        return Basis(method.basis), "named by the term"
    claim, line = ctx.claim, work.line
    return basis_by_setting(
        ctx.medicare.schedules,
        line.code,
        line.service_date,
        claim.type_of_bill,
        work.place_of_service,
        claim.facility_claim,
    )


def _loaded(basis: Basis, on: date, ctx: PricingContext) -> bool:
    schedules = ctx.medicare.schedules
    if basis is Basis.ASC:
        return in_force(schedules.asc, on) is not None
    if basis is Basis.OPPS:
        return in_force(schedules.opps, on) is not None
    return True


def _release_key(basis: Basis, on: date, ctx: PricingContext) -> date:
    """Lines priced by the same release are discounted together (a claim spanning quarters
    discounts within each)."""
    schedules = ctx.medicare.schedules
    release: AscRelease | OppsRelease | None = None
    if basis is Basis.ASC:
        release = in_force(schedules.asc, on)
    elif basis is Basis.OPPS:
        release = in_force(schedules.opps, on)
    return on if release is None else release.effective_on


def _quotes(basis: Basis, lines: list[ClaimLine], ctx: PricingContext) -> dict[int, ScheduleQuote]:
    schedules, claim = ctx.medicare.schedules, ctx.claim
    on = lines[0].service_date
    if basis is Basis.ASC:
        asc = in_force(schedules.asc, on)
        if asc is not None:
            return asc_quotes(lines, asc, schedules.wage_index(Basis.ASC, on.year), claim.site_cbsa)
    elif basis is Basis.OPPS:
        opps = in_force(schedules.opps, on)
        if opps is not None:
            quotes = opps_quotes(lines, opps, schedules.wage_index(Basis.OPPS, on.year), claim.site_cbsa)
            return _paid_elsewhere(quotes, lines, ctx)
    else:
        return {line.line_number: _supply_quote(basis, line, ctx) for line in lines}
    return {line.line_number: _missing(basis, line.service_date) for line in lines}


def _paid_elsewhere(
    quotes: dict[int, ScheduleQuote], lines: list[ClaimLine], ctx: PricingContext
) -> dict[int, ScheduleQuote]:
    """A hospital outpatient line OPPS leaves to the CLFS (status A, Q4 not packaged) or the DMEPOS
    fee schedule (Y) is priced there, when that schedule is loaded."""
    for line in lines:
        quote = quotes[line.line_number]
        if quote.elsewhere is None or quote.status is not LineStatus.UNPRICED:
            continue
        other = _supply_quote(quote.elsewhere, line, ctx)
        if other.status is LineStatus.PRICED:
            other.notes.insert(0, f"{quote.release}: {quote.reason}")
            quotes[line.line_number] = other
    return quotes


def _supply_quote(basis: Basis, line: ClaimLine, ctx: PricingContext) -> ScheduleQuote:
    schedules = ctx.medicare.schedules
    if basis is Basis.CLFS:
        clfs = in_force(schedules.clfs, line.service_date)
        return _missing(basis, line.service_date) if clfs is None else clfs_quote(line, clfs)
    dme = in_force(schedules.dmepos, line.service_date)
    if dme is None:
        return _missing(basis, line.service_date)
    return dmepos_quote(line, dme, dmepos_area(ctx.claim, _state(ctx, line.service_date)))


def _state(ctx: PricingContext, on: date) -> str | None:
    """The state of the claim's Medicare locality (the GPCI file names it): DMEPOS's state when
    the beneficiary's residence is not known."""
    locality = ctx.claim.medicare_locality or ctx.claim.site_locality
    if locality is None:
        return None
    for year in (on.year, *sorted(ctx.medicare.years, reverse=True)):
        medicare = ctx.medicare.years.get(year)
        gpci = None if medicare is None else medicare.gpcis.get(locality)
        if gpci is not None:
            return gpci.state
    return None


def _missing(basis: Basis, on: date) -> ScheduleQuote:
    quote = ScheduleQuote(basis, "")
    return quote.refuse(LineStatus.UNPRICED, f"no Medicare {basis.value} release loaded in force on {on}")


def price_from_schedule(work: LineWork, percent: Decimal, quote: ScheduleQuote, why: str) -> None:
    """percent x Medicare's payment under the line's schedule, every factor as a note."""
    basis = quote.basis
    work.add(StepKind.SCHEDULE, "Medicare {0} ({1}): {2}", basis.value, basis.schedule_name, why)
    for note in quote.notes:
        work.add(StepKind.SCHEDULE, "{0}", note)
    work.flags.extend(quote.flags)
    if quote.status is not LineStatus.PRICED:
        kind = {LineStatus.INCLUDED: StepKind.INCLUDED, LineStatus.NOT_COVERED: StepKind.NOT_COVERED}
        work.settle(quote.status, kind.get(quote.status, StepKind.UNPRICED), "{0}", quote.reason)
        return
    medicare = quote.amount
    amount = to_cents(percent_of(medicare, percent))
    template = "{0} x Medicare {1} payment {2} ({3}: {4} x {5:f} unit(s){6})"
    less = f" - {fmt_money(quote.discount)} discounting" if quote.discount else ""
    args = (fmt_percent(percent), basis.value, fmt_money(medicare), quote.release, fmt_money(quote.per_unit))
    units = quote.units.normalize()  # 1, 1.00 and 1.000 (as stored) all read "1 unit(s)"
    work.add(StepKind.BASE, template, *args, units, less, amount=amount)
