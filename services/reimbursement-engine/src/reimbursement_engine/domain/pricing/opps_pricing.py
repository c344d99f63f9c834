"""Medicare's OPPS (APC) payment for the lines of a hospital outpatient claim (rules: opps.py)."""

from __future__ import annotations

from decimal import Decimal

from .asc import WageIndex
from .claim import ClaimLine
from .explanation import LineStatus
from .money import fmt_money, to_cents
from .opps import (
    COMPREHENSIVE,
    DISCOUNTED,
    NOT_PAID_BY_OPPS,
    OPPS_LABOR_SHARE,
    PACKAGED,
    OppsCode,
    OppsRelease,
)
from .schedule_quote import HALF, ScheduleQuote, discount_multiple
from .schedules import Basis

_HALF_RATE_MODIFIERS = {"73": "discontinued before anesthesia", "52": "reduced services"}
_CONDITIONAL = {
    "Q1": frozenset({"S", "T", "V"}),
    "Q2": frozenset({"T"}),
    # laboratory tests: packaged with an outpatient service, else paid under the CLFS
    "Q4": frozenset({"J1", "J2", "S", "T", "V", "Q1", "Q2", "Q3"}),
}
# statuses OPPS leaves to another Medicare fee schedule
ELSEWHERE = {"A": Basis.CLFS, "Q4": Basis.CLFS, "Y": Basis.DMEPOS}


def opps_quotes(
    lines: list[ClaimLine], release: OppsRelease, wage: WageIndex | None, cbsa: str | None
) -> dict[int, ScheduleQuote]:
    """Each line's APC payment, packaging by status indicator, then status T discounting."""
    rows = {line.line_number: release.codes.get(line.code) for line in lines}
    present = {row.status for row in rows.values() if row is not None}
    primary = _comprehensive_primary(lines, rows)
    quotes = []
    for line in lines:
        quote = ScheduleQuote(Basis.OPPS, release.label, units=line.units)
        row = rows[line.line_number]
        if row is None:
            quote.refuse(LineStatus.UNPRICED, f"{line.code} is not on {release.label}")
        elif primary is not None and line.line_number != primary[0].line_number:
            first, apc = primary
            into = f"({COMPREHENSIVE} {first.code}, line {first.line_number})"
            reason = f"packaged into comprehensive APC {apc} {into}"
            quote.refuse(LineStatus.INCLUDED, reason)
        elif (packaged := _packaged(row, present)) is not None:
            quote.refuse(LineStatus.INCLUDED, packaged)
        else:
            _price(line, row, release, wage, cbsa, quote)
        quotes.append(quote)
    discount_multiple(quotes, "OPPS status T")
    return {line.line_number: quote for line, quote in zip(lines, quotes, strict=True)}


def _comprehensive_primary(
    lines: list[ClaimLine], rows: dict[int, OppsCode | None]
) -> tuple[ClaimLine, str] | None:
    """The highest-paying J1 line: its comprehensive APC pays for the whole claim."""
    best: tuple[ClaimLine, OppsCode] | None = None
    for line in lines:
        row = rows[line.line_number]
        if row is None or row.status != COMPREHENSIVE or row.rate is None:
            continue
        if best is None or row.rate > (best[1].rate or Decimal(0)):
            best = (line, row)
    return None if best is None else (best[0], best[1].apc or "?")


def _packaged(row: OppsCode, present: set[str]) -> str | None:
    if row.status == PACKAGED:
        return "status indicator N: packaged, paid within the claim's other services"
    with_these = _CONDITIONAL.get(row.status)
    if with_these is not None and with_these & present:
        found = ", ".join(sorted(with_these & present))
        return f"status indicator {row.status}: conditionally packaged (billed with status {found})"
    return None


def _price(
    line: ClaimLine,
    row: OppsCode,
    release: OppsRelease,
    wage: WageIndex | None,
    cbsa: str | None,
    quote: ScheduleQuote,
) -> None:
    if row.status in ELSEWHERE:
        quote.elsewhere = ELSEWHERE[row.status]
    if row.status == "Q4":
        quote.refuse(LineStatus.UNPRICED, "status indicator Q4: laboratory test paid under the CLFS")
        return
    if row.status in NOT_PAID_BY_OPPS:
        quote.refuse(LineStatus.UNPRICED, f"status indicator {row.status}: {NOT_PAID_BY_OPPS[row.status]}")
        return
    if row.rate is None:
        quote.refuse(
            LineStatus.UNPRICED, f"status indicator {row.status}: no payment rate on {release.label}"
        )
        return
    cf = release.conversion_factor
    factors = f", relative weight {row.weight} x conversion factor {cf}" if row.weight and cf else ""
    quote.notes.append(
        f"{release.label} {row.hcpcs}: status indicator {row.status}, APC {row.apc}{factors}: "
        f"national unadjusted rate {fmt_money(row.rate)}"
    )
    amount = _wage_adjust(row.rate, wage, cbsa, quote)
    reduced = next((m for m in line.modifiers if m in _HALF_RATE_MODIFIERS), None)
    if reduced is not None:
        amount = to_cents(amount * HALF)
        quote.notes.append(f"modifier {reduced} ({_HALF_RATE_MODIFIERS[reduced]}): 50% = {fmt_money(amount)}")
    quote.per_unit = amount
    quote.discountable = row.status == DISCOUNTED and reduced is None


def _wage_adjust(rate: Decimal, wage: WageIndex | None, cbsa: str | None, quote: ScheduleQuote) -> Decimal:
    """rate x (0.6 x wage index + 0.4) when a wage index is loaded for the hospital's CBSA."""
    if wage is None:
        quote.notes.append("national unadjusted: no OPPS wage index loaded for the year")
        return rate
    index = None if cbsa is None else wage.lookup(cbsa)
    if not isinstance(index, Decimal):
        why = "no CBSA for the hospital" if cbsa is None else str(index)
        quote.notes.append(f"national unadjusted: {why}")
        return rate
    adjusted = to_cents(rate * (OPPS_LABOR_SHARE * index + (1 - OPPS_LABOR_SHARE)))
    quote.notes.append(
        f"CY{wage.year} OPPS wage index {index} (CBSA {cbsa}), 60% labor: {fmt_money(rate)} x "
        f"(0.6 x {index} + 0.4) = {fmt_money(adjusted)}"
    )
    return adjusted
