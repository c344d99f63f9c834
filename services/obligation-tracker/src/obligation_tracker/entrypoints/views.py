"""From stored rows to response bodies."""

from __future__ import annotations

from typing import Any

from obligation_tracker.adapters.parked_repository import ParkedClaimEvent
from obligation_tracker.adapters.repository import StoredObligation, aware
from obligation_tracker.domain import MeasureEvaluation
from obligation_tracker.ids import plain


def obligation_view(stored: StoredObligation) -> dict[str, Any]:
    o = stored.obligation
    return {
        "id": str(o.id),
        "kind": o.kind.value,
        "status": o.status.value,
        "due_date": o.due_date,
        "due_at": o.due_at,
        "contract_id": stored.refs.contract_id,
        "claim_id": stored.refs.claim_id,
        "payer_id": stored.refs.payer_id,
        "patient_control_number": stored.refs.patient_control_number,
        "payer_name": stored.refs.payer_name,
        "title": o.title,
        "description": stored.description,
        "reasons": list(o.reasons),
        "snoozed_until": o.snoozed_until,
        "interest_owed": stored.interest_owed,
        "created_at": stored.created_at,
        "updated_at": stored.updated_at,
    }


def measure_view(row: Any, evaluation: MeasureEvaluation) -> dict[str, Any]:
    return {
        "id": row.id,
        "contract_id": row.contract_id,
        "measure": row.name,
        "direction": row.direction,
        "target": plain(row.target),
        "weight": plain(row.weight),
        "period_start": row.period_start,
        "period_end": row.period_end,
        "status": evaluation.status,
        "latest": evaluation.latest,
        "projected": evaluation.projected,
        "reason": evaluation.reason,
        "defined_by": row.defined_by,
        "contract_version": row.contract_version,
        "changes": list(row.changes or []),
        "retired_at": aware(row.retired_at) if row.retired_at else None,
        "retired_reason": row.retired_reason,
    }


def parked_event_view(parked: ParkedClaimEvent) -> dict[str, Any]:
    return {
        "event_id": parked.event_id,
        "event_type": parked.event_type,
        "awaiting": parked.awaiting,
        "contract_id": parked.contract_id,
        "claim_id": parked.event["data"].get("claim_id"),
        "occurred_at": parked.event["time"],
        "parked_at": parked.parked_at,
        "data": parked.event["data"],
    }
