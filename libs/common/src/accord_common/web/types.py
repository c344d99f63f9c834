"""Field types for request models shared by every service."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
