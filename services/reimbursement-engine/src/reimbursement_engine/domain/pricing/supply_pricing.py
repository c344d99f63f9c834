"""Medicare's CLFS and DMEPOS amounts for one line (per code; DMEPOS by state, rural or not)."""

from __future__ import annotations

from .claim import ClaimLine
from .dmepos_area import DmeposArea
from .explanation import LineStatus
from .money import fmt_money
from .schedule_quote import ScheduleQuote
from .schedules import Basis
from .supplies import ClfsRelease, DmeposRelease


def clfs_quote(line: ClaimLine, release: ClfsRelease) -> ScheduleQuote:
    quote = ScheduleQuote(Basis.CLFS, release.label, units=line.units)
    found = release.rate(line.code, line.modifiers)
    if found is None:
        return quote.refuse(LineStatus.UNPRICED, f"{line.code} is not on the {release.label}")
    rate, modifier = found
    code = f"{line.code}-{modifier}" if modifier else line.code
    quote.notes.append(f"{release.label} {code}: {fmt_money(rate)}")
    quote.per_unit = rate
    return quote


def dmepos_quote(line: ClaimLine, release: DmeposRelease, area: DmeposArea) -> ScheduleQuote:
    """The state's (R) amount for a rural beneficiary when the file has one, else its (NR)."""
    quote = ScheduleQuote(Basis.DMEPOS, release.label, units=line.units)
    if area.flag:
        quote.flags.append(f"line {line.line_number} {line.code}: {area.flag}")
    found = release.amounts(line.code, line.modifiers)
    if found is None:
        return quote.refuse(LineStatus.UNPRICED, f"{line.code} is not on the {release.label} fee schedule")
    quote.notes.append(f"DMEPOS state and rural / non-rural: {area.why}")
    state = area.state
    if state is None:
        return quote.refuse(
            LineStatus.UNPRICED, "no state for the claim (its Medicare locality): DMEPOS is by state"
        )
    amounts, modifiers = found
    pair = amounts.by_state.get(state)
    if pair is None:
        return quote.refuse(LineStatus.UNPRICED, f"{line.code}: no {state} amount on the {release.label}")
    non_rural, rural_amount = pair
    code = f"{line.code}-{modifiers}" if modifiers else line.code
    if area.rural and rural_amount:
        quote.per_unit, column = rural_amount, f"{state} (R)"
    else:
        quote.per_unit, column = non_rural, f"{state} (NR)"
        if area.rural:
            column += ", the file has no rural amount"
    if not quote.per_unit:
        return quote.refuse(LineStatus.UNPRICED, f"{code}: no fee schedule amount in {column}")
    quote.notes.append(f"{release.label} {code} {column}: {fmt_money(quote.per_unit)}")
    return quote
