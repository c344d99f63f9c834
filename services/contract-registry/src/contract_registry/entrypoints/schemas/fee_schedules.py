"""Fee schedules, their rows and import reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord_common.web.types import IsoDate
from pydantic import BaseModel, Field


class FeeScheduleOut(BaseModel):
    id: str
    name: str
    source: str = Field(description="csv, xlsx or tic")
    content_hash: str = Field(description="SHA-256 of the sorted canonical rows")
    row_count: int
    created_at: datetime
    created_by: str


class RowErrorOut(BaseModel):
    row: int = Field(description="Spreadsheet row number: the header is row 1")
    column: str
    message: str


class CsvReportOut(BaseModel):
    """What the import found; `imported` is false when nothing was written."""

    imported: bool
    policy: str
    rows_read: int
    rows_accepted: int
    error_count: int
    errors: list[RowErrorOut]
    schedule: FeeScheduleOut | None = None


class TicImportOut(BaseModel):
    schedule: FeeScheduleOut
    reporting_entity_name: str | None
    last_updated_on: IsoDate | None
    skipped_other_providers: int
    refusals: list[str] = Field(description="Items or prices that did not become rows, and why")


class FeeScheduleRowOut(BaseModel):
    """A row in the registry's JSON row shape (the shape fee_schedule.published chunks carry)."""

    code_system: str
    code: str
    rate_kind: str
    effective_from: IsoDate
    effective_to: IsoDate | None
    modifiers: list[str]
    place_of_service: str | None
    setting: str | None
    unit: str
    amount: str | None
    percentage: str | None


CSV_UPLOAD_EXAMPLE = {
    "name": "Acme PPO 2026 professional",
    "policy": "all_or_nothing",
    "file": "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\nCPT,99213,,11,,unit,amount,88.95,,2026-01-01,\n",
}
TIC_UPLOAD_EXAMPLE = {
    "name": "Acme PPO in-network rates",
    "effective_from": "2026-01-01",
    "only_our_providers": False,
    "file": '{"reporting_entity_name": "Acme", "last_updated_on": "2026-01-01", "in_network": []}',
}


def multipart_example(example: dict[str, Any]) -> dict[str, Any]:
    """openapi_extra documenting a multipart request body's example."""
    return {"requestBody": {"content": {"multipart/form-data": {"example": example}}}}
