"""Accord ids travel as text; the domain keys obligations by UUID."""

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

# Ids that are not UUIDs (a billing system's own claim ids) map to a stable UUID.
FOREIGN_ID_NAMESPACE = UUID("3b0f8a52-64c1-5d7e-8f2a-9c4d1e6b7a10")
# A measure a contract defines has the id of its organisation, contract, name and period start,
# so applying a version again lands on the same row.
CONTRACT_MEASURE_NAMESPACE = UUID("9d2e4f61-3a7b-5c80-b1d4-6e0f2a8c7b35")


def as_uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        return uuid5(FOREIGN_ID_NAMESPACE, value)


def contract_measure_id(organization_id: str, contract_id: str, name: str, period_start: date) -> str:
    key = f"{organization_id}/{contract_id}/{name}/{period_start.isoformat()}"
    return str(uuid5(CONTRACT_MEASURE_NAMESPACE, key))


def plain(value: Decimal) -> Decimal:
    """A stored decimal without the column's trailing zeros: 0.120000 -> 0.12, 100.000000 -> 100."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]
