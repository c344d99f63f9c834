"""Line adjustments after the base amount: multiple procedure reduction, lesser-of, floor."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .explanation import LineStatus, StepKind
from .medicare import MPPR_INDICATORS
from .medicare_modifiers import MULTIPLE_PROCEDURES, mppr_percent
from .money import HUNDRED, ZERO, fmt_money, fmt_percent, to_cents
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
                StepKind.MULTIPLE_PROCEDURE, template, Ranks(ranks[id(work)]), len(ranked), amount=-reduction
            )


class Ranks:
    """Rank list formatted only when the explanation is read: "#2 at 50%, #3 at 50%". Not a list
    (a stored explanation encodes it by its type, and JSON would take a list for a list)."""

    __slots__ = ("ranks",)

    def __init__(self, ranks: list[tuple[int, Decimal]]) -> None:
        self.ranks = ranks

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ranks) and self.ranks == other.ranks

    def __hash__(self) -> int:
        return hash(tuple(self.ranks))

    def __repr__(self) -> str:
        return f"Ranks({self.ranks!r})"

    def __format__(self, spec: str) -> str:
        return ", ".join(f"#{rank} at {fmt_percent(percent)}" for rank, percent in self.ranks)


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


def _medicare_ranked(work: LineWork) -> bool:
    """A line Medicare's multiple procedure rule ranks: priced from the physician fee schedule with
    MULT PROC 2 or 3, under a term without its own multiple procedure rule."""
    return (
        work.status is LineStatus.PRICED
        and work.medicare_amount is not None
        and work.mult_proc in MPPR_INDICATORS
        and (work.term is None or work.term.multiple_procedure is None)
    )


def apply_medicare_multiple_procedure(works: list[LineWork]) -> None:
    """Modifier 51: the day's procedures with MULT PROC 2 or 3, ranked by Medicare amount (each
    unit a procedure), the highest at 100% and every other at 50% (CMS's standard rule), when a
    line of that day carries 51. A 51 on a code outside the rule is noted, not reduced."""
    by_day: defaultdict[object, list[LineWork]] = defaultdict(list)
    for work in works:
        if _medicare_ranked(work):
            by_day[work.line.service_date].append(work)
        elif MULTIPLE_PROCEDURES in work.line.modifiers and work.medicare_amount is not None:
            template = "modifier 51 on a code with MULT PROC indicator {0}: no multiple procedure reduction"
            work.add(StepKind.CHECK, template, work.mult_proc or "unknown")
    for group in by_day.values():
        if any(MULTIPLE_PROCEDURES in w.line.modifiers for w in group):
            _reduce_medicare_day(group)


def _reduce_medicare_day(group: list[LineWork]) -> None:
    slots = [(w.medicare_amount or ZERO, w.amount / _units(w), w) for w in group for _ in range(_units(w))]
    if len(slots) < 2:
        return
    ranked = sorted(slots, key=lambda slot: slot[0], reverse=True)
    reductions: dict[int, Decimal] = defaultdict(Decimal)
    ranks: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for rank, (_, per_unit, work) in enumerate(ranked):
        percent = mppr_percent(rank)
        reductions[id(work)] += per_unit * (HUNDRED - percent) / HUNDRED
        ranks[id(work)].append((rank + 1, percent))
    for work in group:
        reduction = to_cents(reductions[id(work)])
        template = (
            "modifier 51, MULT PROC indicator {0}: Medicare multiple procedure rule, ranked by Medicare "
            "amount {1} of {2} procedures (unit: rank, % paid)"
        )
        work.add(
            StepKind.MULTIPLE_PROCEDURE,
            template,
            work.mult_proc,
            Ranks(ranks[id(work)]),
            len(ranked),
            amount=-reduction,
        )


def _units(work: LineWork) -> int:
    units = work.line.units
    return int(units) if units >= 1 and units == units.to_integral_value() else 1
