"""Writing obligation changes: the row, its history entry and its event, in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from accord_common.events import CloudEvent, new_event
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.repository import ObligationRefs, ObligationRepository
from obligation_tracker.domain import Obligation, ObligationStatus
from obligation_tracker.handlers.context import SOURCE, SYSTEM_ACTOR


@dataclass(frozen=True)
class Change:
    """One obligation in its new state, why it changed and which event announces it."""

    obligation: Obligation
    refs: ObligationRefs
    action: str
    event_type: str | None
    reason: str
    previous: ObligationStatus | None = None
    interest_owed: Decimal | None = None
    actor: str = SYSTEM_ACTOR


def obligation_event(
    event_type: str,
    obligation: Obligation,
    refs: ObligationRefs,
    *,
    reason: str | None = None,
    lead_days: int | None = None,
    interest_owed: Decimal | None = None,
    description: str = "",
) -> CloudEvent:
    data = obligation_payload(
        obligation,
        refs,
        reason=reason,
        lead_days=lead_days,
        interest_owed=interest_owed,
        description=description,
    )
    return new_event(
        event_type, source=SOURCE, subject=str(obligation.id), data=data, organization_id=refs.organization_id
    )


def obligation_payload(
    obligation: Obligation,
    refs: ObligationRefs,
    *,
    reason: str | None = None,
    lead_days: int | None = None,
    interest_owed: Decimal | None = None,
    description: str = "",
) -> dict[str, Any]:
    """The `obligation.*` payload (ObligationData) of an obligation in its current state."""
    return {
        "obligation_id": str(obligation.id),
        "organization_id": refs.organization_id,
        "kind": obligation.kind.value,
        "status": obligation.status.value,
        "due_date": obligation.due_date,
        "contract_id": refs.contract_id,
        "claim_id": refs.claim_id,
        "payer_id": refs.payer_id,
        "title": obligation.title,
        "description": description or (obligation.reasons[0] if obligation.reasons else ""),
        "lead_days": lead_days,
        "reason": reason,
        "interest_owed": interest_owed,
        "patient_control_number": refs.patient_control_number,
        "payer_name": refs.payer_name,
    }


async def apply_change(uow: UnitOfWork, repo: ObligationRepository, change: Change, now: datetime) -> None:
    """Insert or update the obligation, append its history and publish its event (if any)."""
    obligation = change.obligation
    description = obligation.reasons[0] if obligation.reasons else ""
    if change.action == "created":
        await repo.add(obligation, change.refs, description, now)
    else:
        await repo.save(obligation, now, interest_owed=change.interest_owed)
    await repo.record(
        obligation,
        action=change.action,
        previous=change.previous,
        actor=change.actor,
        at=now,
        comment=change.reason,
    )
    if change.event_type is not None:  # checked against the catalogue and written as its outbox row
        # directly, the bytes `publish(obligation_event(...))` writes, without a CloudEvent model
        # (a run of payments spent 13% of its time building them)
        data = obligation_payload(
            obligation,
            change.refs,
            reason=change.reason,
            interest_owed=change.interest_owed,
            description=description,
        )
        uow.publish_batch(
            change.event_type,
            source=SOURCE,
            organization_id=change.refs.organization_id,
            items=[(data["obligation_id"], data)],  # str(obligation.id), made once
        )
