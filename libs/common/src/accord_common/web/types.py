"""Field types for request models shared by every service."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict, WithJsonSchema

from accord_common.amounts import MAX_AMOUNT, MAX_PLACES, check_amount, parse_amount

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


def amount_schema(*, signed: bool = True, places: int = MAX_PLACES) -> dict[str, Any]:
    """What an amount field accepts, as JSON Schema can say it: a whole number within the bound, or
    a string of ASCII digits with at most `places` decimals. A JSON number with decimals is read too
    (0.1 + 0.2 arrives as 0.30000000000000004, more places than a cent), but the document asks for
    the string: it keeps the amount exact."""
    bound = int(MAX_AMOUNT)
    sign = "-?" if signed else ""
    return {
        "anyOf": [
            {"type": "integer", "minimum": -bound if signed else 0, "maximum": bound},
            {"type": "string", "pattern": rf"^{sign}[0-9]{{1,9}}(\.[0-9]{{1,{places}}})?$"},
        ],
        "description": f"A decimal{'' if signed else ' of at least 0'}: at most {MAX_AMOUNT}, {places}"
        " places, as a string ('150.00'; a whole number may be a JSON number).",
        "example": "150.00",
    }


Amount = Annotated[Decimal, BeforeValidator(_plain_amount), WithJsonSchema(amount_schema())]
"""Every amount, rate or figure a request body carries (the bound is accord_common.amounts)."""


def _positive_schema() -> dict[str, Any]:
    """More than 0: a whole number from 1, or a string that is not all zeros (at most MAX_PLACES places)."""
    fractions = "|".join(
        "0" * zeros + "[1-9]" + f"[0-9]{{0,{MAX_PLACES - 1 - zeros}}}" for zeros in range(MAX_PLACES)
    )
    whole = rf"[1-9][0-9]{{0,8}}(\.[0-9]{{1,{MAX_PLACES}}})?"
    schema = amount_schema(signed=False)
    schema["anyOf"] = [
        {"type": "integer", "minimum": 1, "maximum": int(MAX_AMOUNT)},
        {"type": "string", "pattern": rf"^({whole}|0\.({fractions}))$"},
    ]
    schema["description"] = schema["description"].replace("of at least 0", "greater than 0")
    return schema


PositiveAmount = Annotated[Decimal, BeforeValidator(_plain_amount), WithJsonSchema(_positive_schema())]
"""An amount greater than 0 (the field adds `gt=0`)."""
NonNegativeAmount = Annotated[
    Decimal, BeforeValidator(_plain_amount), WithJsonSchema(amount_schema(signed=False))
]
"""An amount of at least 0 (the field adds `ge=0`; this says so in the document)."""
Cents = Annotated[Decimal, BeforeValidator(_plain_amount), WithJsonSchema(amount_schema(places=2))]
"""Money to the cent (the field adds `decimal_places=2`)."""
NonNegativeCents = Annotated[
    Decimal, BeforeValidator(_plain_amount), WithJsonSchema(amount_schema(signed=False, places=2))
]
"""Money to the cent, at least 0 (the field adds `ge=0, decimal_places=2`)."""

WholeNumber = Annotated[int, Strict()]
"""An integer as JSON writes it: `true`, `"5"` and `5.0` are refused (lax pydantic reads true as 1)."""
