"""How amounts, rates and dates read on a page: to the cent, never through a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def amount(value: object) -> Decimal:
    """An API amount (a decimal string) as Decimal; anything else is zero."""
    if value is None or value == "":
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def dollars(value: object) -> str:
    """`1234.5` -> `$1,234.50`; `-20` -> `-$20.00`."""
    cents = amount(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def percent(rate: object) -> str:
    """A rate the engine gives as a fraction (`0.125`) or a decimal string, as `12.5%`."""
    if rate is None or rate == "":
        return "n/a"
    share = (amount(rate) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{share.normalize():f}%"


def is_cents(text: str) -> bool:
    """A non-negative amount with at most two decimal places (`28.95`, `100`)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value.is_finite() and value >= 0 and value == value.quantize(CENT)
