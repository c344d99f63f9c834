"""Shared checks for money, percentages and day counts; each names the field it refuses."""

from __future__ import annotations

from decimal import Decimal

from .errors import InvalidField

MAX_PERCENT = Decimal("1000")
"""The highest percentage a contract may state (1000% of Medicare or charges); 5,000% is a typo."""


def require_money(error: type[InvalidField], field: str, value: Decimal) -> Decimal:
    """A dollar amount: a finite Decimal, not negative."""
    _require_decimal(error, field, value)
    if value < 0:
        raise error(field, f"must not be negative, got {value}")
    return value


def require_percent(
    error: type[InvalidField], field: str, value: Decimal, *, upper: Decimal = MAX_PERCENT
) -> Decimal:
    """A whole-number percentage (40.5 means 40.5%) with 0 < value <= upper."""
    _require_decimal(error, field, value)
    if not Decimal(0) < value <= upper:
        raise error(field, f"must be within 0 < p <= {upper}%, got {value}%")
    return value


def require_share(error: type[InvalidField], field: str, value: Decimal) -> Decimal:
    """A whole-number percentage share with 0 <= value <= 100 (a reduction, a corridor bound)."""
    _require_decimal(error, field, value)
    if not Decimal(0) <= value <= Decimal(100):
        raise error(field, f"must be within 0 <= p <= 100%, got {value}%")
    return value


def require_days(
    error: type[InvalidField], field: str, value: int | None, *, unit: str = "days"
) -> int | None:
    """A day (or month) count: None (not stated) or a positive whole number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise error(field, f"must be a positive whole number of {unit}, got {value!r}")
    return value


def _require_decimal(error: type[InvalidField], field: str, value: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise error(field, f"must be a Decimal, got {type(value).__name__} {value!r}")
    if not value.is_finite():
        raise error(field, f"must be a finite number, got {value}")
