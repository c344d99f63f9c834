"""Payers, plans and the organisation profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from accord_common.web.patch import PatchModel
from pydantic import BaseModel, ConfigDict, Field

LineOfBusiness = Literal[
    "commercial", "medicare_advantage", "medicaid_managed_care", "workers_compensation", "other"
]


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, description="Kept when given; a new plan gets an id.")
    name: str = Field(min_length=1, max_length=200)
    line_of_business: LineOfBusiness = "commercial"


PAYER_EXAMPLE: dict[str, Any] = {
    "name": "Acme Health Plan",
    "x12_payer_id": "60054",
    "plans": [
        {"name": "Acme PPO", "line_of_business": "commercial"},
        {"name": "Acme Medicare Advantage HMO", "line_of_business": "medicare_advantage"},
    ],
}


class PayerIn(BaseModel):
    """A payer (insurer) and its plans / lines of business."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PAYER_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    x12_payer_id: str | None = Field(default=None, max_length=80, pattern=r"^[A-Za-z0-9]+$")
    plans: list[PlanIn] = []


class PayerPatch(PatchModel):
    """Fields to change; plans, when given, replace the list (keep ids to keep plans).
    Only x12_payer_id may be null (it clears it)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Acme Health Plan of Texas"}]}
    )
    nullable_fields = frozenset({"x12_payer_id"})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    x12_payer_id: str | None = Field(default=None, max_length=80, pattern=r"^[A-Za-z0-9]+$")
    plans: list[PlanIn] | None = None


class PlanOut(BaseModel):
    id: str
    name: str
    line_of_business: str


class PayerOut(BaseModel):
    id: str
    name: str
    x12_payer_id: str | None
    plans: list[PlanOut]
    created_at: datetime
    updated_at: datetime


class TinIn(BaseModel):
    number: str = Field(description="EIN as 12-3456789")
    name: str = ""


class NpiIn(BaseModel):
    number: str = Field(description="10 digits; the check digit is verified (Luhn)")
    type: Literal[1, 2] = Field(description="1 individual practitioner, 2 organisation")
    name: str = ""


class MedicareLocalityIn(BaseModel):
    mac: str = Field(description="Medicare Administrative Contractor, 5 digits (e.g. 01112)")
    locality: str = Field(description="Locality number, 2 digits (e.g. 05)")


class LocationIn(BaseModel):
    name: str
    address: str = ""
    medicare_locality: MedicareLocalityIn
    npis: list[str] = Field(
        default=[],
        description="NPIs billed from here (service facility or billing provider on a claim): a claim "
        "naming one is priced at this location's Medicare locality",
    )
    zip_code: str | None = Field(default=None, description="5-digit ZIP (or ZIP+4)")
    cbsa: str | None = Field(default=None, description="Core-based statistical area (wage index), 5 digits")


PROFILE_EXAMPLE: dict[str, Any] = {
    "name": "St Mary Medical Group",
    "tins": [{"number": "12-3456789", "name": "St Mary Medical Group LLC"}],
    "npis": [
        {"number": "1234567893", "type": 2, "name": "St Mary Medical Group"},
        {"number": "1245319599", "type": 1, "name": "Dr A. Jones"},
    ],
    "locations": [
        {
            "name": "Downtown clinic",
            "address": "1 Main St, San Francisco, CA",
            "medicare_locality": {"mac": "01112", "locality": "05"},
            "npis": ["1234567893"],
            "zip_code": "94103",
            "cbsa": "41884",
        }
    ],
    "required_approver_roles": ["legal", "finance"],
}


class OrganisationIn(BaseModel):
    """The caller's organisation: TINs, NPIs, locations (Medicare locality each), approver roles."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PROFILE_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    tins: list[TinIn] = []
    npis: list[NpiIn] = []
    locations: list[LocationIn] = []
    required_approver_roles: list[str] = []
    distinct_approvers: bool = Field(
        default=True,
        description="Segregation of duties: each required role is approved by a different person "
        "(false lets one person approve for several roles). The submitter never approves.",
    )


class OrganisationOut(OrganisationIn):
    model_config = ConfigDict(extra="ignore")

    id: str
    updated_at: datetime
