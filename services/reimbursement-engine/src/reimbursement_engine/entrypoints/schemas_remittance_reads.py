"""Response models of the remittance reads (amounts are decimal strings, to the cent)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from accord_common.web.types import IsoDate
from pydantic import BaseModel, ConfigDict, Field

CAS_EXAMPLE = {"group": "CO", "carc": "45", "amount": "61.05", "quantity": None}
LINE_EXAMPLE = {
    "line_index": 0,
    "code": "99213",
    "modifiers": "25",
    "charge": "150.00",
    "paid": "88.95",
    "allowed": "88.95",
    "units": "1",
    "service_date": "2025-03-14",
    "line_control_number": "1",
    "adjustments": [CAS_EXAMPLE],
    "remark_codes": [],
}
PAYMENT_EXAMPLE = {
    "id": "0193b7a4-6f10-7c3e-9d4a-0b8f5e2c1a77",
    "remittance_id": "0193b7a4-6f0e-7a21-8c55-3e1d9b0f4c12",
    "claim_id": "0193b6f2-1c44-7e09-b3a1-5d7c2e8f9a03",
    "patient_control_number": "PCN-000123",
    "payer_claim_control_number": "PAYERCCN1",
    "status_code": "1",
    "charge": "150.00",
    "paid": "88.95",
    "patient_responsibility": "0.00",
    "paid_date": "2025-04-02",
    "adjustments": [],
    "remark_codes": [],
    "reversed_by": None,
    "reverses": None,
    "lines": [LINE_EXAMPLE],
}
PLB_EXAMPLE = {
    "provider_id": "1512345678",
    "fiscal_period_date": "2025-12-31",
    "reason_code": "L6",
    "reference": "INTEREST",
    "amount": "-2.50",
}
REMITTANCE_EXAMPLE = {
    "id": "0193b7a4-6f0e-7a21-8c55-3e1d9b0f4c12",
    "file_id": "0193b7a4-6e90-7f14-a2c8-71d0e5b3f6a9",
    "trace_number": "EFT-0001",
    "payer_id": "60054",
    "payer_name": "EXAMPLE PAYER",
    "total_paid": "88.95",
    "payment_date": "2025-04-02",
    "received_at": "2025-04-02T14:03:11Z",
    "claim_count": 1,
}


def _examples(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class CasAdjustmentOut(BaseModel):
    """One CAS adjustment: group (CO, PR, OA, PI, CR), reason code (CARC), amount, quantity."""

    model_config = _examples(CAS_EXAMPLE)
    group: str
    carc: str
    amount: Decimal
    quantity: Decimal | None = None


class LinePaymentOut(BaseModel):
    """One service line paid (SVC loop 2110) with its CAS adjustments and remark codes (LQ)."""

    model_config = _examples(LINE_EXAMPLE)
    line_index: int = Field(description="0-based position of the SVC in its claim payment.")
    code: str | None
    modifiers: str = Field(description="Procedure modifiers joined by ':' (empty when none).")
    charge: Decimal
    paid: Decimal
    allowed: Decimal | None = Field(description="AMT*B6 when the payer sent it.")
    units: Decimal | None
    service_date: IsoDate | None
    line_control_number: str | None
    adjustments: list[CasAdjustmentOut]
    remark_codes: list[str]


class ClaimPaymentOut(BaseModel):
    """One claim paid (CLP loop 2100): claim-level CAS adjustments and its line payments."""

    model_config = _examples(PAYMENT_EXAMPLE)
    id: str
    remittance_id: str
    claim_id: str | None = Field(description="The matched claim; null when no claim matched (yet).")
    patient_control_number: str
    payer_claim_control_number: str | None
    status_code: str = Field(description="CLP02: 1/2/3 processed, 4 denied, 22 reversal.")
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    paid_date: IsoDate | None
    adjustments: list[CasAdjustmentOut]
    remark_codes: list[str]
    reversed_by: str | None
    reverses: str | None
    lines: list[LinePaymentOut]


class ProviderAdjustmentOut(BaseModel):
    """One PLB provider-level adjustment (interest, forward balance, recoupment ...)."""

    model_config = _examples(PLB_EXAMPLE)
    provider_id: str
    fiscal_period_date: IsoDate
    reason_code: str
    reference: str | None
    amount: Decimal = Field(description="As the payer sent it: BPR02 = sum(CLP04) - sum(PLB amounts).")
    claim_id: str | None = Field(
        default=None, description="The claim the PLB03-2 reference names (a take-back), when known."
    )


class RemittanceOut(BaseModel):
    """One payment (BPR/TRN) of a payer to the organisation."""

    model_config = _examples(REMITTANCE_EXAMPLE)
    id: str
    file_id: str | None
    trace_number: str
    payer_id: str
    payer_name: str | None
    total_paid: Decimal
    payment_date: IsoDate | None
    received_at: datetime
    claim_count: int


class RemittanceDetailOut(RemittanceOut):
    """A remittance with its PLB provider adjustments."""

    model_config = _examples({**REMITTANCE_EXAMPLE, "provider_adjustments": [PLB_EXAMPLE]})
    provider_adjustments: list[ProviderAdjustmentOut]


class RemittancePage(BaseModel):
    model_config = _examples({"items": [REMITTANCE_EXAMPLE], "next_cursor": None})
    items: list[RemittanceOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ClaimPaymentPage(BaseModel):
    model_config = _examples({"items": [PAYMENT_EXAMPLE], "next_cursor": None})
    items: list[ClaimPaymentOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ProviderAdjustmentList(BaseModel):
    model_config = _examples({"items": [PLB_EXAMPLE]})
    items: list[ProviderAdjustmentOut]
