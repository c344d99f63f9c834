"""What a facility or supply schedule says one line is worth (Medicare's payment for all its units),
with every factor used, and the multiple procedure discounting ASC and OPPS share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .explanation import LineStatus
from .money import fmt_money, to_cents
from .schedules import Basis

HALF = Decimal("0.5")


@dataclass(slots=True)
class ScheduleQuote:
    """Medicare's payment for a line under one schedule: `per_unit` (cents) x units, unless the
    line is packaged, not payable or unpriced (`status`, `reason`)."""

    basis: Basis
    release: str
    status: LineStatus = LineStatus.PRICED
    reason: str | None = None
    per_unit: Decimal = Decimal(0)
    units: Decimal = Decimal(1)
    notes: list[str] = field(default_factory=list)
    discountable: bool = False
    discount: Decimal = Decimal(0)
    elsewhere: Basis | None = None  # OPPS: the schedule that pays the code instead (status A, Q4, Y)
    flags: list[str] = field(default_factory=list)  # for the line's flags (e.g. a DMEPOS assumption)

    @property
    def amount(self) -> Decimal:
        """The Medicare payment for all units after discounting (cents)."""
        return to_cents(self.per_unit * self.units) - self.discount

    def refuse(self, status: LineStatus, reason: str) -> ScheduleQuote:
        self.status, self.reason = status, reason
        return self


def discount_multiple(quotes: list[ScheduleQuote], what: str) -> None:
    """The highest-paying discountable unit at 100%, every other unit of a discountable line at
    50% (stable: equal amounts keep claim line order)."""
    slots = [
        (quote.per_unit, index, quote)
        for index, quote in enumerate(quotes)
        if quote.status is LineStatus.PRICED and quote.discountable
        for _ in range(max(int(quote.units), 1))
    ]
    if len(slots) < 2:
        return
    ranked = sorted(slots, key=lambda slot: slot[0], reverse=True)
    ranks: defaultdict[int, list[int]] = defaultdict(list)
    for rank, (per_unit, index, quote) in enumerate(ranked, start=1):
        if rank > 1:
            quote.discount += to_cents(per_unit * HALF)
        ranks[index].append(rank)
    for index, quote in enumerate(quotes):
        if index in ranks:
            paid = ", ".join(f"#{r} at {'100' if r == 1 else '50'}%" for r in ranks[index])
            quote.notes.append(
                f"{what} multiple procedure discounting: {len(ranked)} procedures, this line's "
                f"unit(s) ranked {paid}" + (f" (-{fmt_money(quote.discount)})" if quote.discount else "")
            )
