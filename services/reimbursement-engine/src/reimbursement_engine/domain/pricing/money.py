"""Money and rate helpers: every amount is a Decimal, rounded half-up to cents at documented points.

Rounding points (the whole engine follows them, so an analyst can redo the sums by hand):
1. Medicare allowed per unit: the CMS formula, rounded to cents.
2. Each line's base amount (rate x units, pct x reference, ...): rounded to cents.
3. Each adjustment (escalated rate, MPPR reduction, lesser-of, outlier): rounded to cents.
4. Claim total: the plain sum of the cent amounts above (exact, no further rounding).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def round_half_up(amount: Decimal, places: int = 2) -> Decimal:
    """Round half away from zero to `places` decimals (the way CMS and payers round money)."""
    exponent = CENT if places == 2 else Decimal(1).scaleb(-places)
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> Decimal:
    """Round a money amount half-up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def dec(value: str | int | Decimal) -> Decimal:
    """Build a Decimal from text or int; floats are refused because they cannot hold cents exactly."""
    if isinstance(value, float):
        raise TypeError("use str or Decimal for money and rates, never float")
    return value if isinstance(value, Decimal) else Decimal(value)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` is a whole-number percentage (140 = 140%), as contracts and TiC files write it."""
    return amount * percent / HUNDRED


def fmt_money(amount: Decimal) -> str:
    """Format an amount the way an analyst reads it: $1,234.50."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def fmt_percent(percent: Decimal) -> str:
    """Format a whole-number percentage without trailing zeros: 140%, 3.5%."""
    return format(percent.normalize(), "f") + "%"
