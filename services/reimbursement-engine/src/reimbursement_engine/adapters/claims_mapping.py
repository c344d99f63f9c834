"""Claims between their stored / submitted shape and the pricing domain's `Claim`.

A submission is the claim's header (JSON-safe, stored as `claims.submitted`) plus its line rows
(stored in `claim_lines`); both are rebuilt into a domain `Claim` to price or re-price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reimbursement_engine.adapters.terms_mapping import CODE_SYSTEMS, parse_locality
from reimbursement_engine.domain.contract_match import ClaimRoute, ClaimType
from reimbursement_engine.domain.locality import ServiceSite, zip5
from reimbursement_engine.domain.pricing import Claim, ClaimLine
from reimbursement_engine.domain.x12 import Claim837


@dataclass(frozen=True, slots=True)
class ClaimSubmission:
    """A validated claim: header (JSON-safe, None values left out), its lines as rows for
    `claim_lines`, and the pricing domain's claim built from the same values (None when they do
    not make one; `domain_claim` then says why)."""

    header: dict[str, Any]
    lines: list[dict[str, Any]]
    source: str
    claim: Claim | None = None

    @property
    def patient_control_number(self) -> str:
        return str(self.header["patient_control_number"])


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def submission(claim: Mapping[str, Any], source: str, today: date) -> ClaimSubmission:
    """From a validated claim (ClaimIn.model_dump()): dates default from the lines."""
    rows = [line_row(number, line) for number, line in enumerate(claim["lines"], 1)]
    return submission_from_rows(claim, rows, source, today)


def line_row(number: int, line: Mapping[str, Any]) -> dict[str, Any]:
    """A validated line (ClaimLineIn.model_dump()) as its `claim_lines` row."""
    return {
        "line_number": number,
        "code_system": line["code_system"],
        "code": line["code"],
        "modifiers": ":".join(line.get("modifiers") or ()),
        "units": Decimal(line.get("units") or 1),
        "charge": Decimal(line["charge"]),
        "revenue_code": line.get("revenue_code"),
        "service_date": line["service_date"],
        "place_of_service": line.get("place_of_service"),
        "invoice_cost": line.get("invoice_cost"),
    }


def submission_from_rows(
    claim: Mapping[str, Any], rows: list[dict[str, Any]], source: str, today: date
) -> ClaimSubmission:
    """A claim's validated header fields (ClaimIn's, as Python values) and its line rows as a
    submission; the domain claim is built from the same rows in the same pass (the batch path
    hands rows straight from its validator, so 5,000 lines are not read three times)."""
    domain_lines = [line for row in rows if (line := domain_line(row)) is not None]
    dates = [row["service_date"] for row in rows]
    provider = claim.get("billing_provider") or {}
    facility = claim.get("service_facility") or {}
    header = {
        "patient_control_number": claim["patient_control_number"],
        "payer_id": claim["payer_id"],
        "contract_id": claim.get("contract_id"),
        "billing_provider_npi": provider.get("npi"),
        "billing_provider_tin": provider.get("tin"),
        "billing_provider_zip": provider.get("zip_code"),
        "service_facility_npi": facility.get("npi"),
        "service_facility_zip": facility.get("zip_code"),
        "claim_type": claim.get("claim_type"),
        "line_of_business": claim.get("line_of_business"),
        "plan_id": claim.get("plan_id"),
        "service_from": claim.get("service_from") or min(dates),
        "service_to": claim.get("service_to") or max(dates),
        "received_date": claim.get("received_date") or today,
        "place_of_service": claim.get("place_of_service"),
        "type_of_bill": claim.get("type_of_bill"),
        "frequency_code": claim.get("frequency_code"),
        "drg": claim.get("drg"),
        "admission_date": claim.get("admission_date"),
        "discharge_date": claim.get("discharge_date"),
        "medicare_locality": claim.get("medicare_locality"),
        "beneficiary_zip": zip5(claim.get("beneficiary_zip")),
    }
    domain = _typed_claim(header, domain_lines) if len(domain_lines) == len(rows) else None
    stored = {k: _iso(v) for k, v in header.items() if v is not None}
    return ClaimSubmission(stored, rows, source, domain)


def domain_line(row: Mapping[str, Any]) -> ClaimLine | None:
    """The pricing domain's line from a `claim_lines` row; None for a code system it cannot price."""
    system = CODE_SYSTEMS.get(str(row["code_system"]).upper())
    if system is None:
        return None
    modifiers = row.get("modifiers")
    return ClaimLine(
        int(row["line_number"]),
        str(row["code"]),
        Decimal(row["units"]),
        Decimal(row["charge"]),
        row["service_date"],
        system,
        tuple(m for m in modifiers.split(":") if m) if modifiers else (),
        row.get("revenue_code"),
        row.get("place_of_service"),
        row.get("invoice_cost"),
    )


def _typed_claim(header: Mapping[str, Any], lines: list[ClaimLine]) -> Claim | None:
    try:
        locality = parse_locality(header["medicare_locality"])
    except ValueError:
        return None
    return Claim(
        patient_control_number=str(header["patient_control_number"]),
        payer_id=str(header["payer_id"]),
        service_from=header["service_from"],
        service_to=header["service_to"],
        lines=tuple(lines),
        place_of_service=header["place_of_service"],
        type_of_bill=header["type_of_bill"],
        drg=header["drg"],
        admission_date=header["admission_date"],
        discharge_date=header["discharge_date"],
        medicare_locality=locality,
        beneficiary_zip=header["beneficiary_zip"],
    )


def header_date(header: Mapping[str, Any], name: str) -> date | None:
    value = header.get(name)
    return date.fromisoformat(value) if value else None


def domain_claim(header: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> Claim:
    """The pricing domain's claim from a stored header and line rows."""
    claim_lines = []
    for row in lines:
        line = domain_line(row)
        if line is None:
            raise ValueError(f"line {row['line_number']}: unknown code system {row['code_system']!r}")
        claim_lines.append(line)
    start = header_date(header, "service_from")
    end = header_date(header, "service_to")
    assert start is not None
    assert end is not None
    return Claim(
        patient_control_number=str(header["patient_control_number"]),
        payer_id=str(header["payer_id"]),
        service_from=start,
        service_to=end,
        lines=tuple(claim_lines),
        place_of_service=header.get("place_of_service"),
        type_of_bill=header.get("type_of_bill"),
        drg=header.get("drg"),
        admission_date=header_date(header, "admission_date"),
        discharge_date=header_date(header, "discharge_date"),
        medicare_locality=parse_locality(header.get("medicare_locality")),
        beneficiary_zip=header.get("beneficiary_zip"),
    )


def claim_type_of(header: Mapping[str, Any]) -> ClaimType:
    """Stated (837P / 837I), else institutional when the claim has a type of bill."""
    stated = header.get("claim_type")
    if stated:
        return ClaimType(stated)
    return ClaimType.INSTITUTIONAL if header.get("type_of_bill") else ClaimType.PROFESSIONAL


def claim_route(header: Mapping[str, Any]) -> ClaimRoute:
    """What a stored claim header says about which contract it belongs to."""
    return ClaimRoute(
        payer_id=str(header["payer_id"]),
        claim_type=claim_type_of(header),
        contract_id=header.get("contract_id"),
        type_of_bill=header.get("type_of_bill"),
        line_of_business=header.get("line_of_business"),
        plan_id=header.get("plan_id"),
        billing_tin=header.get("billing_provider_tin"),
        billing_npi=header.get("billing_provider_npi"),
    )


def service_site(header: Mapping[str, Any]) -> ServiceSite:
    """What a stored claim header says about where the service was rendered."""
    return ServiceSite(
        stated_locality=parse_locality(header.get("medicare_locality")),
        service_facility_npi=header.get("service_facility_npi"),
        service_facility_zip=header.get("service_facility_zip"),
        billing_npi=header.get("billing_provider_npi"),
        billing_zip=header.get("billing_provider_zip"),
    )


def claim_from_837(claim: Claim837) -> dict[str, Any]:
    """An 837 claim in the JSON claim shape (then validated like any other claim)."""
    default_date = claim.service_date or claim.statement_start
    lines = []
    for line in claim.lines:
        procedure = line.procedure
        code = procedure.code if procedure else (line.revenue_code or "")
        system = "REV" if procedure is None else _procedure_system(procedure.code)
        lines.append(
            {
                "code_system": system,
                "code": code,
                "modifiers": list(procedure.modifiers) if procedure else [],
                "units": line.units if line.units is not None else Decimal(1),
                "charge": line.charge,
                "revenue_code": line.revenue_code,
                "service_date": line.service_date or default_date,
                "place_of_service": line.place_of_service,
            }
        )
    return {
        "patient_control_number": claim.patient_control_number,
        "payer_id": claim.payer_id or "",
        "billing_provider": {
            "npi": claim.billing_provider_npi,
            "tin": claim.billing_provider_tin,
            "zip_code": claim.billing_provider_zip,
        },
        "service_facility": {"npi": claim.service_facility_npi, "zip_code": claim.service_facility_zip},
        # the patient's (else the subscriber's) N403: its first 5 digits when it is a US ZIP
        "beneficiary_zip": zip5(claim.patient_zip),
        "claim_type": claim.kind.value,
        "line_of_business": claim.line_of_business,
        "service_from": claim.statement_start,
        "service_to": claim.statement_end,
        "place_of_service": claim.place_of_service,
        "type_of_bill": claim.type_of_bill,
        "frequency_code": claim.frequency_code if claim.frequency_code in ("1", "7", "8") else None,
        "drg": claim.drg_code,
        "admission_date": claim.admission_date,
        "lines": lines,
    }


def _procedure_system(code: str) -> str:
    return "HCPCS" if code[:1].isalpha() else "CPT"
