"""Line adjustments after the base amount: multiple procedure reduction, lesser-of, floor."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .explanation import LineStatus, StepKind
from .money import HUNDRED, fmt_money, fmt_percent, to_cents
from .terms import MultipleProcedureReduction, PaymentTerm
from .work import LineWork, PricingContext


def _is_eligible(work: LineWork, rule: MultipleProcedureReduction, ctx: PricingContext) -> bool:
    line = work.line
    if line.code in rule.eligible_codes:
        return True
    if not rule.use_medicare_indicator or line.line_number in ctx.schedule_quotes:
        return False
    return work.mppr_eligible or ctx.medicare.mppr_eligible(line.code, line.modifiers, line.service_date)


def _unit_slots(work: LineWork) -> list[tuple[Decimal, LineWork]]:
    """One slot per unit (each extra unit counts as another procedure), valued per unit."""
    units = work.line.units
    if units >= 1 and units == units.to_integral_value():
        per_unit = work.amount / units
        return [(per_unit, work)] * int(units)
    return [(work.amount, work)]


def apply_multiple_procedure(works: list[LineWork], ctx: PricingContext) -> None:
    """Rank eligible units of each term by value, highest first, and pay each at its rank's %."""
    by_term: defaultdict[int, list[LineWork]] = defaultdict(list)
    for work in works:
        rule = None if work.term is None else work.term.multiple_procedure
        if work.status is LineStatus.PRICED and rule is not None and _is_eligible(work, rule, ctx):
            by_term[id(work.term)].append(work)
    for group in by_term.values():
        term = group[0].term
        rule = None if term is None else term.multiple_procedure
        if rule is not None:
            _reduce_group(group, rule)


def _reduce_group(group: list[LineWork], rule: MultipleProcedureReduction) -> None:
    slots = [slot for work in group for slot in _unit_slots(work)]
    if len(slots) < 2:
        return
    # sorted() is stable: equal values keep claim line order
    ranked = sorted(slots, key=lambda slot: slot[0], reverse=True)
    reductions: dict[int, Decimal] = defaultdict(Decimal)
    ranks: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for rank, (value, work) in enumerate(ranked):
        percent = rule.percent_for_rank(rank)
        reductions[id(work)] += value * (HUNDRED - percent) / HUNDRED
        ranks[id(work)].append((rank + 1, percent))
    for work in group:
        reduction = to_cents(reductions[id(work)])
        if reduction:
            template = "ranked {0} of {1} procedures (unit: rank, % paid)"
            work.add(
                StepKind.MULTIPLE_PROCEDURE, template, _Ranks(ranks[id(work)]), len(ranked), amount=-reduction
            )


class _Ranks(list[tuple[int, Decimal]]):
    """Rank list formatted only when the explanation is read: "#2 at 50%, #3 at 50%"."""

    def __format__(self, spec: str) -> str:
        return ", ".join(f"#{rank} at {fmt_percent(percent)}" for rank, percent in self)


def apply_lesser_of(work: LineWork, term: PaymentTerm) -> None:
    """Pay billed charges when they are below the contract amount."""
    charge = work.line.charge
    if term.lesser_of_charges and work.status is LineStatus.PRICED and charge < work.amount:
        template = "billed charges ${0:,.2f} below contract amount ${1:,.2f}"
        work.add(StepKind.LESSER_OF, template, charge, work.amount, amount=charge - work.amount)


def check_floor(work: LineWork, ctx: PricingContext) -> None:
    """Flag (never change) an expected amount below the organisation's floor for the code."""
    line = work.line
    floor = ctx.contract.floors.get((line.code_system, line.code))
    if floor is None or work.status is not LineStatus.PRICED:
        return
    minimum = to_cents(floor * line.units)
    if work.amount < minimum:
        text = (
            f"{fmt_money(work.amount)} is below the floor {fmt_money(minimum)} ({fmt_money(floor)} per unit)"
        )
        work.add(StepKind.FLOOR, text)
        work.flags.append(f"line {line.line_number} {line.code}: {text}")
