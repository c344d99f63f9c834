"""Field types for request models shared by every service."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict, WithJsonSchema

from accord_common.amounts import AMOUNT_PATTERN, MAX_AMOUNT, MAX_PLACES, check_amount, parse_amount

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date_only(value: Any) -> Any:
    """Pydantic's lax mode reads 0 or "0" as a Unix timestamp (1970-01-01): refuse anything but
    an ISO calendar date (YYYY-MM-DD) or a date object."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("expected a calendar date as YYYY-MM-DD")


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date_only),
    WithJsonSchema({"type": "string", "format": "date", "example": "2026-01-01"}),
]


def _plain_amount(value: Any) -> Any:
    """An amount as JSON sends it: a number or a string of ASCII digits, bounded (accord_common.amounts).
    A boolean is not a number; NaN, 1e30 and full-width digits are refused."""
    if isinstance(value, bool):
        raise ValueError("expected a decimal number, not a boolean")
    if isinstance(value, str):
        return parse_amount(value, MAX_AMOUNT)
    if isinstance(value, int | float | Decimal):
        return check_amount(Decimal(str(value)), MAX_AMOUNT)
    raise ValueError("expected a decimal number (or a string of one)")


Amount = Annotated[
    Decimal,
    BeforeValidator(_plain_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": -float(MAX_AMOUNT), "maximum": float(MAX_AMOUNT)},
                {"type": "string", "pattern": AMOUNT_PATTERN},
            ],
            "description": f"A decimal: at most {MAX_AMOUNT}, {MAX_PLACES} places; a string keeps it exact.",
            "example": "150.00",
        }
    ),
]
"""Every amount, rate or figure a request body carries (the bound is accord_common.amounts)."""

WholeNumber = Annotated[int, Strict()]
"""An integer as JSON writes it: `true`, `"5"` and `5.0` are refused (lax pydantic reads true as 1)."""
