"""Remittances that arrive as JSON (billing systems) or claim.paid events, as 835 records.

They then take the same path as an 835: one storage, matching and reconciliation code.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from accord_common.events.payloads import ClaimPaidData

from reimbursement_engine.domain.x12 import (
    Adjustment,
    ClaimPayment,
    Party,
    ProcedureCode,
    ServicePayment,
    Transaction835,
)


def _adjustments(items: list[Mapping[str, Any]]) -> tuple[Adjustment, ...]:
    return tuple(
        Adjustment(str(a["group_code"]), str(a["reason_code"]), Decimal(a["amount"]), None, -1) for a in items
    )


def _line(line: Mapping[str, Any]) -> ServicePayment:
    procedure = ProcedureCode("HC", str(line["code"]), tuple(line.get("modifiers") or ()))
    return ServicePayment(
        procedure=procedure,
        charge=Decimal(line.get("charge") or 0),
        paid=Decimal(line["paid"]),
        revenue_code=line.get("revenue_code"),
        units=line.get("units"),
        original_procedure=None,
        original_units=None,
        service_date=line.get("service_date"),
        service_end_date=None,
        adjustments=_adjustments(line.get("adjustments") or []),
        allowed=line.get("allowed"),
        amounts=(),
        remark_codes=tuple(line.get("remark_codes") or ()),
        line_control_number=str(line["line_number"]) if line.get("line_number") else None,
        segment_index=-1,
    )


def claim_payment(claim: Mapping[str, Any]) -> ClaimPayment:
    pr = claim.get("patient_responsibility")
    return ClaimPayment(
        patient_control_number=str(claim["patient_control_number"]),
        status_code=str(claim.get("status_code") or "1"),
        charge=Decimal(claim.get("charge") or 0),
        paid=Decimal(claim["paid"]),
        patient_responsibility=None if pr is None else Decimal(pr),
        claim_filing_indicator=None,
        payer_claim_control_number=str(claim.get("payer_claim_control_number") or ""),
        facility_code=None,
        frequency_code=None,
        drg_code=None,
        member_id=None,
        statement_start=None,
        statement_end=None,
        received_date=None,
        adjustments=_adjustments(claim.get("adjustments") or []),
        amounts=(),
        remark_codes=tuple(claim.get("remark_codes") or ()),
        lines=tuple(_line(line) for line in claim.get("lines") or []),
        segment_index=-1,
    )


def transaction(body: Mapping[str, Any]) -> Transaction835:
    """A JSON remittance: {payer_id, payer_name, trace_number, payment_date, claims: [...]}."""
    claims = tuple(claim_payment(c) for c in body["claims"])
    total = body.get("total_paid")
    paid_on: date = body["payment_date"]
    payer = Party(str(body.get("payer_name") or body["payer_id"]), "PI", str(body["payer_id"]))
    return Transaction835(
        control_number="json",
        version="json",
        handling_code="I",
        total_paid=Decimal(total) if total is not None else sum((c.paid for c in claims), Decimal(0)),
        credit_debit="C",
        payment_method=None,
        payment_date=paid_on,
        trace_number=str(body["trace_number"]),
        trace_originator_id=str(body["payer_id"]),
        production_date=paid_on,
        payer=payer,
        payee=Party("", None, None),
        claims=claims,
        provider_adjustments=(),
        segment_count=0,
        declared_segment_count=0,
        bpr_segment_index=-1,
        se_segment_index=-1,
        notes=(),
    )


def from_claim_paid(event_id: str, data: ClaimPaidData) -> Transaction835:
    """A claim.paid event a billing system published, as a one-claim remittance."""
    return transaction(
        {
            "payer_id": data.payer_id,
            "trace_number": data.remittance_id or f"event:{event_id}",
            "payment_date": data.paid_date,
            "claims": [
                {
                    "patient_control_number": data.patient_control_number,
                    "paid": str(data.paid_amount),
                    "patient_responsibility": str(data.patient_responsibility),
                    "status_code": data.claim_status_code or "1",
                    "payer_claim_control_number": data.payer_claim_control_number,
                }
            ],
        }
    )
