"""Fee schedule rows <-> table rows and event JSON (the domain's row shape)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from contract_registry.domain import (
    BillingUnit,
    CodeSystem,
    FeeScheduleRow,
    RateKind,
    Setting,
    canonical_row,
    to_json,
)
from contract_registry.domain.fee_schedule import canonical_decimal


def base_key_text(row: FeeScheduleRow) -> str:
    """What a rate is for (code, modifiers, POS, setting) as one comparable string."""
    return "|".join(
        (
            row.code_system.value,
            row.code,
            ":".join(row.modifiers),
            row.place_of_service or "",
            row.setting.value if row.setting else "",
        )
    )


def row_values(row: FeeScheduleRow, schedule_id: str, source_row: int | None) -> dict[str, Any]:
    return {
        "schedule_id": schedule_id,
        "code_system": row.code_system.value,
        "code": row.code,
        "modifiers": ":".join(row.modifiers),
        "place_of_service": row.place_of_service,
        "setting": row.setting.value if row.setting else None,
        "unit": row.unit.value,
        "rate_kind": row.rate_kind.value,
        "amount": row.amount,
        "percentage": row.percentage,
        "effective_from": row.effective_from,
        "effective_to": row.effective_to,
        "source_row": source_row,
        "base_key": base_key_text(row),
        "canonical": canonical_row(row),
    }


def row_from_db(row: Any) -> FeeScheduleRow:
    return FeeScheduleRow(
        code_system=CodeSystem(row.code_system),
        code=row.code,
        rate_kind=RateKind(row.rate_kind),
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        modifiers=tuple(row.modifiers.split(":")) if row.modifiers else (),
        place_of_service=row.place_of_service,
        setting=Setting(row.setting) if row.setting else None,
        unit=BillingUnit(row.unit),
        amount=_canonical(row.amount),
        percentage=_canonical(row.percentage),
    )


def _canonical(value: Decimal | None) -> Decimal | None:
    """NUMERIC(18, 6) reads back as 120.000000: restore the one spelling the domain uses (120)."""
    return None if value is None else Decimal(canonical_decimal(value))


def row_to_json(row: FeeScheduleRow) -> dict[str, Any]:
    encoded = to_json(row)
    assert isinstance(encoded, dict)
    return encoded
