"""Payment terms at the edge: one typed model per methodology and modifier, tagged by "kind".

Every model refuses fields it does not know (a misspelt `markup`, a `carve_out` for `carve_outs`
is a 422 naming it, never a silent default). These models check the shape; the domain checks the
values (bounds, codes, rules joining fields) and names the field it refuses, so each rule has one
validator; the bounds are published in the descriptions (contract_registry.domain.validation).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from accord_common.web.bounded import bounded, bounded_date
from accord_common.web.types import Amount, IsoDate
from pydantic import BaseModel, ConfigDict, Field

from contract_registry.domain.payment_terms import MAX_ESCALATOR_PERCENT
from contract_registry.domain.validation import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_DECIMAL_PLACES,
    MAX_MONEY,
    MAX_PERCENT,
)

# Each bound is the domain's (contract_registry.domain.validation), stated in the schema: a whole
# number with minimum/maximum, or a string whose pattern admits only the values within it.
_PLACES = f"at most {MAX_DECIMAL_PLACES} decimal places, as a string ('150.00'; a string keeps it exact)"
Money = Annotated[Amount, bounded(MAX_MONEY, description=f"Dollars, 0 to {MAX_MONEY}, {_PLACES}")]
Percent = Annotated[
    Amount,
    bounded(
        MAX_PERCENT,
        positive=True,
        description=f"Whole percent (120 = 120%), above 0 up to {MAX_PERCENT}, {_PLACES}",
    ),
]
MarkupPercent = Annotated[
    Amount,
    bounded(MAX_PERCENT, description=f"Whole percent (10 = 10%), 0 (at cost) up to {MAX_PERCENT}, {_PLACES}"),
]
Share = Annotated[Amount, bounded(Decimal(100), description=f"Whole percent share, 0 to 100, {_PLACES}")]
EscalatorPercent = Annotated[
    Amount,
    bounded(
        MAX_ESCALATOR_PERCENT,
        positive=True,
        description=f"Whole percent rise, above 0 up to {MAX_ESCALATOR_PERCENT}, {_PLACES}",
    ),
]
NON_BLANK = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"
"""A name the domain reads (str.strip()) must hold a character that is not white space."""
CodeSystemName = Literal["CPT", "HCPCS", "REV", "MSDRG", "APC"]


def _strict(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class CodeRangeIn(BaseModel):
    """Inclusive range of codes of one system; no bounds means every code of the system."""

    model_config = _strict({"code_system": "CPT", "first": "99202", "last": "99499"})

    code_system: CodeSystemName
    first: str | None = Field(default=None, max_length=10)
    last: str | None = Field(default=None, max_length=10)


class CodeMatcherIn(BaseModel):
    """The codes a term covers: any of its ranges."""

    model_config = _strict({"ranges": [{"code_system": "REV", "first": "0275", "last": "0278"}]})

    ranges: list[CodeRangeIn] = Field(max_length=1000)


class FeeScheduleIn(BaseModel):
    """Rate x units from the contract's fee schedule (or a named one)."""

    model_config = _strict({"kind": "fee_schedule", "schedule_id": None})

    kind: Literal["fee_schedule"]
    schedule_id: str | None = None


class PercentOfMedicareIn(BaseModel):
    """percent x Medicare allowed; basis_year fixes the Medicare year (null: year of service)."""

    model_config = _strict({"kind": "percent_of_medicare", "percent": "150", "basis_year": None})

    kind: Literal["percent_of_medicare"]
    percent: Percent
    basis_year: int | None = Field(default=None, description="1992 to 2100")
    basis: Literal["PFS", "ASC", "OPPS", "CLFS", "DMEPOS"] | None = Field(
        default=None,
        description="the Medicare schedule: physician fee schedule, ASC, hospital outpatient (APC), "
        "clinical laboratory or DMEPOS; null: by the claim's setting (POS 24 on a facility claim -> "
        "ASC, type of bill 13x -> OPPS, lab codes -> CLFS, DME codes -> DMEPOS, else the PFS)",
    )


class PercentOfChargesIn(BaseModel):
    """percent x billed charges."""

    model_config = _strict({"kind": "percent_of_charges", "percent": "65"})

    kind: Literal["percent_of_charges"]
    percent: Percent


class LevelOfCareRateIn(BaseModel):
    """A daily rate for one level of care."""

    model_config = _strict({"level_of_care": "ICU", "rate": "4200.00"})

    level_of_care: str = Field(min_length=1, max_length=60, json_schema_extra={"pattern": NON_BLANK})
    rate: Money


class PerDiemIn(BaseModel):
    """Rate x days, by level of care."""

    model_config = _strict({"kind": "per_diem", "rates": [{"level_of_care": "med_surg", "rate": "2150.00"}]})

    kind: Literal["per_diem"]
    rates: list[LevelOfCareRateIn] = Field(min_length=1, max_length=100)


class CaseRateIn(BaseModel):
    """A flat amount per case or bundle."""

    model_config = _strict({"kind": "case_rate", "rate": "18500.00"})

    kind: Literal["case_rate"]
    rate: Money


class MsDrgIn(BaseModel):
    """DRG weight x base rate; above the outlier threshold, outlier_percent of the excess."""

    model_config = _strict(
        {"kind": "ms_drg", "base_rate": "6800.00", "outlier_threshold": "80000.00", "outlier_percent": "80"}
    )

    kind: Literal["ms_drg"]
    base_rate: Money
    outlier_threshold: Money | None = None
    outlier_percent: Percent | None = None


class CapitationIn(BaseModel):
    """Per member per month (paid on member months, not per claim)."""

    model_config = _strict({"kind": "capitation", "pmpm": "42.50"})

    kind: Literal["capitation"]
    pmpm: Money


class InvoiceCostIn(BaseModel):
    """Invoice cost plus markup_percent (0: at cost)."""

    model_config = _strict({"kind": "invoice_cost", "markup_percent": "10"})

    kind: Literal["invoice_cost"]
    markup_percent: MarkupPercent = Decimal(0)


MethodologyIn = Annotated[
    FeeScheduleIn
    | PercentOfMedicareIn
    | PercentOfChargesIn
    | PerDiemIn
    | CaseRateIn
    | MsDrgIn
    | CapitationIn
    | InvoiceCostIn,
    Field(discriminator="kind"),
]
"""How a term pays, tagged by kind."""


class MultipleProcedureReductionIn(BaseModel):
    """Percent paid by rank of value: [100, 50] pays the highest 100% and every other 50%."""

    model_config = _strict({"percentages": ["100", "50"]})

    percentages: list[Share] = Field(min_length=1, max_length=20)


class StopLossIn(BaseModel):
    """Above threshold billed charges, percent of the charges above it."""

    model_config = _strict({"threshold": "100000.00", "percent": "65"})

    threshold: Money
    percent: Percent


class CarveOutIn(BaseModel):
    """Codes paid under another methodology (implants at invoice cost + 10%)."""

    model_config = _strict(
        {
            "name": "Implants",
            "matcher": {"ranges": [{"code_system": "REV", "first": "0278", "last": "0278"}]},
            "methodology": {"kind": "invoice_cost", "markup_percent": "10"},
        }
    )

    name: str = Field(min_length=1, max_length=200)
    matcher: CodeMatcherIn
    methodology: MethodologyIn


class AnniversaryEscalatorIn(BaseModel):
    """Rates rise by percent on each anniversary of the contract's effective date."""

    model_config = _strict({"kind": "anniversary_escalator", "percent": "3"})

    kind: Literal["anniversary_escalator"]
    percent: EscalatorPercent


class DatedEscalatorIn(BaseModel):
    """Rates rise by percent on a named date."""

    model_config = _strict({"kind": "dated_escalator", "percent": "2.5", "effective_on": "2027-01-01"})

    kind: Literal["dated_escalator"]
    percent: EscalatorPercent
    effective_on: Annotated[
        IsoDate, bounded_date(EARLIEST_DATE, LATEST_DATE, description=f"{EARLIEST_DATE} to {LATEST_DATE}")
    ]


EscalatorIn = Annotated[AnniversaryEscalatorIn | DatedEscalatorIn, Field(discriminator="kind")]


class CodeFloorIn(BaseModel):
    """The least the organisation accepts for a code: an expected price below it is flagged."""

    model_config = _strict({"code_system": "CPT", "code": "99213", "minimum": "85.00"})

    code_system: CodeSystemName
    code: str = Field(min_length=1, max_length=10)
    minimum: Money


PAYMENT_TERM_EXAMPLE: dict[str, Any] = {
    "name": "Professional services",
    "service_category": "professional",
    "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
    "methodology": {"kind": "percent_of_medicare", "percent": "120", "basis_year": None},
    "lesser_of_billed": True,
    "multiple_procedure_reduction": {"percentages": ["100", "50"]},
    "escalators": [{"kind": "anniversary_escalator", "percent": "3"}],
    "floors": [{"code_system": "CPT", "code": "99213", "minimum": "85.00"}],
}


class PaymentTermIn(BaseModel):
    """How one service category is paid: a methodology, the codes it covers and its modifiers."""

    model_config = _strict(PAYMENT_TERM_EXAMPLE)

    name: str = Field(min_length=1, max_length=200, json_schema_extra={"pattern": NON_BLANK})
    service_category: str = Field(min_length=1, max_length=60)
    matcher: CodeMatcherIn
    methodology: MethodologyIn
    lesser_of_billed: bool = Field(default=False, description="Pay the lesser of billed charges and the rate")
    multiple_procedure_reduction: MultipleProcedureReductionIn | None = None
    stop_loss: StopLossIn | None = None
    carve_outs: list[CarveOutIn] = Field(default=[], max_length=100)
    escalators: list[EscalatorIn] = Field(default=[], max_length=20)
    floors: list[CodeFloorIn] = Field(default=[], max_length=1000)
