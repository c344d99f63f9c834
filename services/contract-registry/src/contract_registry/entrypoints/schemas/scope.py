"""Which of a payer's claims a contract covers (contract-level, beside its plans and line of business)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

BillType = Annotated[str, Field(json_schema_extra={"pattern": "^[0-9]{2}$"})]
Tin = Annotated[str, Field(json_schema_extra={"pattern": "^[0-9]{2}-?[0-9]{7}$"})]
Npi = Annotated[str, Field(json_schema_extra={"pattern": "^[0-9]{10}$"})]


class ContractScopeIn(BaseModel):
    """Empty lists mean not limited. The engine matches a claim to the payer's contract whose
    line of business, plans and scope fit it best; two equally good ones hold the claim for review."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "claim_types": ["institutional"],
                    "bill_types": ["13", "83"],
                    "provider_tins": ["12-3456789"],
                }
            ]
        },
    )

    claim_types: list[Literal["professional", "institutional"]] = Field(
        default=[], description="professional (837P / CMS-1500) and/or institutional (837I / UB-04)"
    )
    bill_types: list[BillType] = Field(
        default=[],
        description="Types of bill covered, as facility type + classification (13 = hospital outpatient "
        "013x, 11 = inpatient 011x, 83 = ASC 083x); institutional claims only",
    )
    provider_tins: list[Tin] = Field(default=[], description="Billing provider TINs covered (12-3456789)")
    provider_npis: list[Npi] = Field(
        default=[], description="Billing provider NPIs covered (10 digits, the last a Luhn check digit)"
    )


class ContractScopeOut(BaseModel):
    claim_types: list[str]
    bill_types: list[str]
    provider_tins: list[str]
    provider_npis: list[str]
