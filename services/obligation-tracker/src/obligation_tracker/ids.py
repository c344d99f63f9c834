"""Accord ids travel as text; the domain keys obligations by UUID."""

from decimal import Decimal
from uuid import UUID, uuid5

# Ids that are not UUIDs (a billing system's own claim ids) map to a stable UUID.
FOREIGN_ID_NAMESPACE = UUID("3b0f8a52-64c1-5d7e-8f2a-9c4d1e6b7a10")


def as_uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        return uuid5(FOREIGN_ID_NAMESPACE, value)


def plain(value: Decimal) -> Decimal:
    """A stored decimal without the column's trailing zeros: 0.120000 -> 0.12, 100.000000 -> 100."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]
