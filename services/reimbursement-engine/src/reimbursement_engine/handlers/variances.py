"""The worklist: open variances aggregated, and people moving a variance along its states."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from accord_common.auth import Principal
from accord_common.errors import Conflict
from accord_common.events import CloudEvent, new_event
from accord_common.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.variance_repo import VarianceRepository
from reimbursement_engine.adapters.worklist_sums import worklist_sums
from reimbursement_engine.domain.worklist import TransitionRefused, Worklist, assemble, check_transition
from reimbursement_engine.handlers import SOURCE


async def worklist(session: AsyncSession, org: str, status: str = "open") -> Worklist:
    """Variances in `status` by section: owed (underpaid, denied), overpaid, needs review."""
    sums, totals = await worklist_sums(session, org, status)
    return assemble(sums, totals)


async def transition(
    uow: UnitOfWork, who: Principal, variance_id: str, target: str, note: str | None, amount: Decimal | None
) -> Any:
    """Move a variance (open -> appealed -> recovered | written_off), with an audit row; the change
    is published (claim.variance_status_changed) in the same unit of work."""
    async with uow:
        repo = VarianceRepository(uow.session, who.organization_id)
        row = await repo.get(variance_id, for_update=True)
        try:
            check_transition(row.status, target)
        except TransitionRefused as exc:
            raise Conflict(str(exc))
        now = datetime.now(UTC)
        await repo.update(variance_id, {"status": target, "updated_at": now})
        await repo.audit(variance_id, who.name, row.status, target, note, amount)
        uow.publish(status_changed_event(row, target, now, note, amount))
        await uow.commit()


def status_changed_event(
    row: Any, target: str, at: datetime, note: str | None, amount: Decimal | None
) -> CloudEvent:
    """claim.variance_status_changed for a variance row moved to ``target`` (keyed by its claim)."""
    data = {
        "variance_id": row.id,
        "claim_id": row.claim_id,
        "organization_id": row.organization_id,
        "patient_control_number": row.patient_control_number,
        "payer_id": row.payer_id,
        "contract_id": row.contract_id,
        "classification": row.classification,
        "from_status": row.status,
        "status": target,
        "changed_on": at.date(),
        "note": note,
        "amount": amount,
    }
    return new_event(
        "claim.variance_status_changed",
        source=SOURCE,
        subject=row.claim_id,
        data=data,
        organization_id=row.organization_id,
    )


async def set_tolerance(uow: UnitOfWork, org: str, tolerance: Decimal) -> None:
    async with uow:
        await VarianceRepository(uow.session, org).set_tolerance(tolerance)
        await uow.commit()
