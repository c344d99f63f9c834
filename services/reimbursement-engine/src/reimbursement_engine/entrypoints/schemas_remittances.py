"""Remittances as JSON (what a billing system sends when it has no 835 at hand)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from accord_common.web.types import Amount as AmountIn
from accord_common.web.types import IsoDate
from pydantic import BaseModel, ConfigDict, Field

Amount = Field(max_digits=14, decimal_places=2)


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group_code: str = Field(pattern=r"^(CO|PR|OA|PI|CR)$")
    reason_code: str = Field(min_length=1, max_length=5)
    amount: AmountIn = Amount


class PaidLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_number: int | None = Field(default=None, ge=1)
    code: str = Field(min_length=1, max_length=12)
    modifiers: list[str] = []
    charge: AmountIn = Amount
    paid: AmountIn = Amount
    units: AmountIn | None = None
    allowed: AmountIn | None = None
    adjustments: list[AdjustmentIn] = []
    remark_codes: list[str] = []


class PaidClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patient_control_number: str = Field(min_length=1, max_length=38)
    payer_claim_control_number: str | None = None
    status_code: str = Field(default="1", pattern=r"^[0-9]{1,2}$")
    charge: AmountIn = Amount
    paid: AmountIn = Amount
    patient_responsibility: AmountIn | None = None
    adjustments: list[AdjustmentIn] = []
    remark_codes: list[str] = []
    lines: list[PaidLineIn] = []


class RemittanceIn(BaseModel):
    """A payment as JSON; balanced like an 835 (claim: charge - adjustments - patient responsibility
    unless carried by PR adjustments = paid; line: charge - adjustments = paid; total_paid = sum)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "payer_id": "60054",
                    "payer_name": "Example Payer",
                    "trace_number": "EFT-0001",
                    "payment_date": "2025-04-02",
                    "total_paid": "68.95",
                    "claims": [
                        {
                            "patient_control_number": "PCN-000123",
                            "payer_claim_control_number": "PAYERCCN1",
                            "status_code": "1",
                            "charge": "150.00",
                            "paid": "68.95",
                            "patient_responsibility": "20.00",
                            "lines": [
                                {
                                    "code": "99213",
                                    "modifiers": ["25"],
                                    "charge": "150.00",
                                    "paid": "68.95",
                                    "units": "1",
                                    "adjustments": [
                                        {"group_code": "CO", "reason_code": "45", "amount": "61.05"},
                                        {"group_code": "PR", "reason_code": "2", "amount": "20.00"},
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ]
        },
    )
    payer_id: str = Field(min_length=1, max_length=80)
    payer_name: str | None = None
    trace_number: str = Field(min_length=1, max_length=80)
    payment_date: IsoDate
    total_paid: AmountIn | None = None
    claims: list[PaidClaimIn] = Field(min_length=1, max_length=10000)


class ReconciliationOut(BaseModel):
    """Where a stored 835's reconciliation stands: "reconciling" while its claims are reconciled a
    chunk at a time (the figures grow as chunks commit), then "reconciled"."""

    file_id: str
    status: Literal["reconciling", "reconciled"]
    claims_to_reconcile: int
    claims_reconciled: int
    classifications: dict[str, int]
    progress_at: datetime | None
    reconciled_at: datetime | None


class IngestOut(BaseModel):
    file_id: str | None
    duplicate: bool
    transactions: int
    skipped_transactions: int
    claims: int
    matched: int
    reversals: int
    total_paid: Decimal
    classifications: dict[str, int]
    details: dict[str, Any] = {}
    reconciliation: ReconciliationOut | None = Field(
        default=None,
        description="An 835's reconciliation: done when answered (the default), or under way after "
        "`Prefer: respond-async` (202; follow `Location`). None for a JSON remittance.",
    )
