"""Rows for the remittance tables, built from parsed 835 records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from reimbursement_engine.domain.x12 import (
    Adjustment,
    ClaimPayment,
    Payment835,
    ServicePayment,
    Transaction835,
)


def remittance_row(
    remittance_id: str, file_id: str | None, t: Payment835, payer_id: str, paid_on: date | None
) -> dict[str, Any]:
    return {
        "id": remittance_id,
        "file_id": file_id,
        "trace_number": t.trace_number,
        "payer_id": payer_id,
        "payer_name": t.payer.name,
        "total_paid": t.total_paid,
        "payment_date": paid_on,
        "received_at": datetime.now(UTC),
    }


def plb_rows(remittance_id: str, t: Transaction835) -> list[dict[str, Any]]:
    return [
        {
            "remittance_id": remittance_id,
            "provider_id": p.provider_id,
            "fiscal_period_date": p.fiscal_period_date,
            "reason_code": p.reason_code,
            "reference": p.reference,
            "amount": p.amount,
        }
        for p in t.provider_adjustments
    ]


def _adjustments(items: tuple[Adjustment, ...]) -> list[dict[str, Any]]:
    return [
        {
            "group": a.group_code,
            "carc": a.reason_code,
            "amount": str(a.amount),
            "quantity": None if a.quantity is None else str(a.quantity),
        }
        for a in items
    ]


def payment_row(
    payment_id: str, org: str, remittance_id: str, c: ClaimPayment, claim_id: str | None, paid_on: date | None
) -> dict[str, Any]:
    return {
        "id": payment_id,
        "organization_id": org,
        "remittance_id": remittance_id,
        "claim_id": claim_id,
        "patient_control_number": c.patient_control_number,
        "payer_claim_control_number": c.payer_claim_control_number or None,
        "status_code": c.status_code,
        "charge": c.charge,
        "paid": c.paid,
        "patient_responsibility": c.total_patient_responsibility,
        "paid_date": paid_on,
        "adjustments": _adjustments(c.adjustments),
        "remark_codes": list(c.remark_codes),
        "reversed_by": None,
        "reverses": None,
    }


def line_row(payment_id: str, index: int, line: ServicePayment) -> dict[str, Any]:
    procedure, original = line.procedure, line.original_procedure
    return {
        "claim_payment_id": payment_id,
        "line_index": index,
        "code": procedure.code if procedure else line.revenue_code,
        "modifiers": ":".join(procedure.modifiers) if procedure else "",
        "charge": line.charge,
        "paid": line.paid,
        "allowed": line.allowed,
        "units": line.units,
        "service_date": line.service_date,
        "line_control_number": line.line_control_number,
        "adjustments": _adjustments(line.adjustments),
        "remark_codes": list(line.remark_codes),
        "original_code": original.code if original else None,
        "original_modifiers": ":".join(original.modifiers) if original else None,
    }
