"""Medicare's ASC payment for the lines of a surgery center's claim (formula: asc.py)."""

from __future__ import annotations

from decimal import Decimal

from .asc import (
    DEVICE_INTENSIVE,
    DISCONTINUED_AFTER_ANESTHESIA,
    DISCONTINUED_BEFORE_ANESTHESIA,
    LABOR_SHARE,
    NO_COST_DEVICE,
    PACKAGED_INDICATORS,
    PARTIAL_CREDIT_DEVICE,
    REDUCED,
    AscCode,
    AscRelease,
    WageIndex,
)
from .claim import ClaimLine
from .explanation import LineStatus
from .money import fmt_money, to_cents
from .schedule_quote import HALF, ScheduleQuote, discount_multiple
from .schedules import Basis

ZERO = Decimal(0)


def asc_quotes(
    lines: list[ClaimLine], release: AscRelease, wage: WageIndex | None, cbsa: str | None
) -> dict[int, ScheduleQuote]:
    """Each line's ASC payment, then multiple procedure discounting across the claim's lines."""
    quotes = [_quote(line, release, wage, cbsa) for line in lines]
    discount_multiple(quotes, "ASC")
    return {line.line_number: quote for line, quote in zip(lines, quotes, strict=True)}


def _quote(line: ClaimLine, release: AscRelease, wage: WageIndex | None, cbsa: str | None) -> ScheduleQuote:
    quote = ScheduleQuote(Basis.ASC, release.label, units=line.units)
    code = line.code
    if code in release.excluded:
        return quote.refuse(LineStatus.NOT_COVERED, f"{code} is on Addendum EE: not payable in an ASC")
    row = release.codes.get(code)
    if row is None:
        return quote.refuse(LineStatus.UNPRICED, f"{code} is not on Addendum AA or BB of the {release.label}")
    if row.indicator in PACKAGED_INDICATORS:
        reason = f"payment indicator {row.indicator} (Addendum {row.addendum}): packaged, no separate payment"
        return quote.refuse(LineStatus.INCLUDED, reason)
    if row.rate is None:
        reason = f"payment indicator {row.indicator}: no national ASC rate (contractor-priced)"
        return quote.refuse(LineStatus.UNPRICED, reason)
    quote.notes.append(_national(row, release))
    device = _device_portion(row, release, quote)
    adjusted = _wage_adjust(row.rate, device, wage, cbsa, quote)
    if adjusted is None:
        return quote
    quote.per_unit = _modifiers(line.modifiers, adjusted, device, quote)
    quote.discountable = row.discounted and not {REDUCED, DISCONTINUED_BEFORE_ANESTHESIA} & set(
        line.modifiers
    )
    return quote


def _national(row: AscCode, release: AscRelease) -> str:
    text = f"{release.label} Addendum {row.addendum} {row.hcpcs} (payment indicator {row.indicator}"
    cf = release.conversion_factor
    if row.weight is not None and cf is not None:
        text += f", weight {row.weight} x conversion factor {cf}"
    flag = "subject to" if row.discounted else "not subject to"
    return text + f"): national rate {fmt_money(row.rate or ZERO)}, {flag} multiple procedure discounting"


def _device_portion(row: AscCode, release: AscRelease, quote: ScheduleQuote) -> Decimal:
    if row.indicator != DEVICE_INTENSIVE:
        return ZERO
    offset = release.device_offsets.get(row.hcpcs)
    if offset is None:
        quote.notes.append(f"device-intensive ({DEVICE_INTENSIVE}) but no device offset on Addendum FF")
        return ZERO
    quote.notes.append(
        f"device-intensive ({DEVICE_INTENSIVE}): device portion {fmt_money(offset.amount)} "
        f"({offset.percent}%, Addendum FF) is not wage-adjusted"
    )
    return offset.amount


def _wage_adjust(
    rate: Decimal, device: Decimal, wage: WageIndex | None, cbsa: str | None, quote: ScheduleQuote
) -> Decimal | None:
    """device + (rate - device) x (0.5 x wage index + 0.5), or the national rate without a CBSA."""
    if cbsa is None:
        quote.notes.append("no CBSA for the surgery center: national rate, not wage-adjusted")
        return rate
    if wage is None:
        quote.refuse(LineStatus.UNPRICED, f"no ASC wage index loaded for the year of the {quote.release}")
        return None
    index = wage.lookup(cbsa)
    if isinstance(index, str):
        quote.refuse(LineStatus.UNPRICED, index)
        return None
    labor = (rate - device) * (LABOR_SHARE * index + (1 - LABOR_SHARE))
    adjusted = to_cents(device + labor)
    where = f"{fmt_money(device)} + " if device else ""
    quote.notes.append(
        f"CY{wage.year} ASC wage index {index} (CBSA {cbsa}): {where}{fmt_money(rate - device)} x "
        f"(0.5 x {index} + 0.5) = {fmt_money(adjusted)}"
    )
    return adjusted


def _modifiers(modifiers: tuple[str, ...], amount: Decimal, device: Decimal, quote: ScheduleQuote) -> Decimal:
    """FB / FC device credits, then 73 / 52 at 50% (74: full payment)."""
    if device and NO_COST_DEVICE in modifiers:
        amount -= device
        quote.notes.append(f"modifier FB (device at no cost): - device offset {fmt_money(device)}")
    elif device and PARTIAL_CREDIT_DEVICE in modifiers:
        credit = to_cents(device * HALF)
        amount -= credit
        quote.notes.append(
            f"modifier FC (partial device credit): - 50% of the device offset {fmt_money(credit)}"
        )
    if DISCONTINUED_BEFORE_ANESTHESIA in modifiers:
        take_device = bool(device) and NO_COST_DEVICE not in modifiers
        what = f" of {fmt_money(amount)} - device portion {fmt_money(device)}" if take_device else ""
        amount = to_cents((amount - device if take_device else amount) * HALF)
        quote.notes.append(f"modifier 73 (discontinued before anesthesia): 50%{what} = {fmt_money(amount)}")
    elif REDUCED in modifiers:
        amount = to_cents(amount * HALF)
        quote.notes.append(f"modifier 52 (reduced services): 50% = {fmt_money(amount)}")
    elif DISCONTINUED_AFTER_ANESTHESIA in modifiers:
        quote.notes.append("modifier 74 (discontinued after anesthesia): full payment")
    return max(amount, ZERO)
