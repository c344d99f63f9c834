"""The one bound on every amount and rate Accord accepts, at every entry point (JSON, CSV, X12, TiC).

An amount (a charge, a payment, a cost, a fee-schedule rate, a percentage) is a plain decimal
written with ASCII digits: an optional minus sign, digits, an optional point and at most
MAX_PLACES digits after it, and at most MAX_AMOUNT in size. No exponent (`1e30`), no `NaN` or
`Infinity`, no full-width or other non-ASCII digits (U+FF11 and kin), no thousands separators. The
database stores NUMERIC(18, 6), so every accepted amount fits it exactly. Service domains cannot
import this module (they are pure): each keeps the same two figures, held equal by a unit test.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("999999999.99")
"""The largest amount or rate accepted anywhere (just under one billion dollars)."""
MAX_RATE = Decimal("9999999.99")
"""The largest rate or cost per unit, case or day (a contract term, a fee-schedule row, a cost per
code): times a claim line's 100,000 units it still fits NUMERIC(18, 6)."""
MAX_PLACES = 6
"""The most digits accepted after the decimal point (the database keeps six)."""
AMOUNT_PATTERN = r"^-?[0-9]{1,9}(\.[0-9]{1,6})?$"
"""The written form of an amount, for OpenAPI and for parsing text (CSV cells, query strings)."""
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


class AmountError(ValueError):
    """Why a text or number is not an amount Accord accepts (a message for the caller)."""


def parse_amount(text: str, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """The amount a text holds, or AmountError naming why not (surrounding blanks are ignored)."""
    written = text.strip()
    if not _AMOUNT.fullmatch(written):
        raise AmountError(
            f"{text[:40]!r} is not a plain decimal number (ASCII digits, an optional point; "
            "no exponent, NaN, separators or currency sign)"
        )
    return check_amount(Decimal(written), maximum)


def check_amount(value: Decimal, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """The same Decimal when it is finite, within +/-maximum and has at most MAX_PLACES places."""
    if not value.is_finite():
        raise AmountError(f"{value} is not a finite number")
    try:
        too_large = abs(value) > maximum
    except InvalidOperation:  # pragma: no cover - finite decimals always compare
        raise AmountError(f"{value} is not a number")
    if too_large:
        raise AmountError(f"must be at most {maximum} in size")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PLACES:
        raise AmountError(f"must have at most {MAX_PLACES} decimal places")
    return value
