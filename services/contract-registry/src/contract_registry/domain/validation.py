"""Shared checks for money, percentages, day counts and dates; each names the field it refuses.

The bounds are what the registry's consumers can apply (a contract the registry accepts must be
priced by the engine and scheduled by the tracker, never dead-lettered): amounts fit the
engine's NUMERIC(18, 6) columns even multiplied by a claim line's 100,000 units, day counts
and dates keep every deadline the tracker derives (renewals, notices, escalator anniversaries)
inside its business calendar, and every count fits a 32-bit integer column.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from .errors import InvalidField

MAX_PERCENT = Decimal("1000")
"""The highest percentage a contract may state (1000% of Medicare or charges); 5,000% is a typo."""
MAX_MONEY = Decimal("9999999.99")
"""The largest amount a term may state ($9,999,999.99 a case, day, member month or code): equal to
accord_common.amounts.MAX_RATE (held equal by a unit test)."""
MAX_DECIMAL_PLACES = 6
"""Amounts and percentages are stored to six decimal places: more would be silently rounded."""
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
"""How an amount or a percentage is written in text (CSV): ASCII digits and an optional point; no
exponent (1e999999), NaN, full-width digits (U+FF11...), separators or currency sign."""
MAX_DAYS = 3650
"""Ten years: the longest notice, filing, appeal, payment or objection period a term may state."""
MAX_MONTHS = 120
"""Ten years: the longest renewal term."""
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)
"""Contract dates (effective, termination, amendments, escalators, credentialing, measurement
periods) fall in 1990-2100: the Medicare years the engine prices (RBRVS began in 1992) and the
calendar the tracker schedules deadlines in."""


def require_money(error: type[InvalidField], field: str, value: Decimal) -> Decimal:
    """A dollar amount: a finite Decimal, not negative."""
    _require_decimal(error, field, value)
    if value < 0:
        raise error(field, f"must not be negative, got {value}")
    if value > MAX_MONEY:
        raise error(field, f"must be at most {MAX_MONEY}, got {value}")
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


def require_figure(error: type[InvalidField], field: str, value: Decimal) -> Decimal:
    """A measured figure (a target, a weight): finite, within +/-MAX_MONEY, stored to 6 places."""
    _require_decimal(error, field, value)
    if abs(value) > MAX_MONEY:
        raise error(field, f"must be within -{MAX_MONEY} and {MAX_MONEY}, got {value}")
    return value


def require_days(
    error: type[InvalidField], field: str, value: int | None, *, unit: str = "days"
) -> int | None:
    """A day (or month) count: None (not stated) or a whole number from 1 to ten years."""
    if value is None:
        return None
    upper = MAX_MONTHS if unit == "months" else MAX_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise error(field, f"must be a positive whole number of {unit}, got {value!r}")
    if value > upper:
        raise error(field, f"must be at most {upper} {unit} (ten years), got {value!r}")
    return value


def require_date(error: type[InvalidField], field: str, value: date | None) -> date | None:
    """A contract date: None (not stated) or a day from 1990-01-01 to 2100-12-31."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise error(
            field,
            f"must be from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}, got {value.isoformat()}",
        )
    return value


def _require_decimal(error: type[InvalidField], field: str, value: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise error(field, f"must be a Decimal, got {type(value).__name__} {value!r}")
    if not value.is_finite():
        raise error(field, f"must be a finite number, got {value}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
        raise error(field, f"must have at most {MAX_DECIMAL_PLACES} decimal places, got {value}")
