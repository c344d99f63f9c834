"""The bound on every amount and rate the engine accepts (JSON, CSV, X12): the same two figures as
accord_common.amounts (the domain is pure and cannot import it; a unit test holds them equal).
See docs/service-guide.md, "Amounts"."""

from __future__ import annotations

from decimal import Decimal

MAX_AMOUNT = Decimal("999999999.99")
MAX_RATE = Decimal("9999999.99")
MAX_PLACES = 6
