"""contract.created / amended / activated / renewed / terminated: keep every version (claims take
their deadlines from the version in force on their date of service), bring the contract's
obligations and KPI measures in line with the latest (create, move, reopen, cancel with a reason;
define, update, retire) and apply the claim events parked while the contract, or the version that
priced them, was not yet known."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accord_common.events import CloudEvent
from accord_common.events.payloads import ContractVersionData
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.contract_projection import ContractProjection
from obligation_tracker.adapters.repository import ObligationRefs, StoredObligation, aware
from obligation_tracker.adapters.version_repository import ContractVersions
from obligation_tracker.domain import ObligationStatus, ReconciliationPlan, derive_obligations, reconcile
from obligation_tracker.handlers import run_memo
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.contract_measures import apply_contract_measures
from obligation_tracker.handlers.parking import release_parked_claims
from obligation_tracker.handlers.publishing import Change, apply_change
from obligation_tracker.handlers.snapshot import snapshot_of

TERMINATED = "terminated"


def is_newer(held: Any, data: ContractVersionData, event_time: datetime) -> bool:
    """The highest revision wins, whatever its version number: a draft edit or a correction keeps
    the number, a withdrawal brings back the version before. Stale or repeated revisions are
    ignored. Events from before revisions (0): a higher version wins, and the same version only
    as a later status change (activated, terminated) of it."""
    if held is None:
        return True
    held_revision = int((held.version_data or {}).get("revision") or 0)
    if data.revision or held_revision:
        return data.revision > held_revision
    if data.version > held.version:
        return True
    return data.version == held.version and data.status != held.status and event_time > aware(held.event_time)


async def on_contract_version(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    data = ContractVersionData.model_validate(event.data)
    projection = ContractProjection(uow.session)
    await projection.hold(data.contract_id, exclusive=True)  # claims reading it wait, or are parked
    held = await projection.held(data.contract_id, data.version)
    version_data = data.model_dump(mode="json")
    await keep_version(uow, data, event.time, held.kept, version_data)
    if is_newer(held.latest, data, event.time):
        await _apply_latest(event, data, held.latest, version_data, uow, tracker)
    run_memo.forget_contract(uow, data.contract_id)  # what an earlier event of the run remembered
    await release_parked_claims(uow, tracker, data.organization_id, data.contract_id)


async def keep_version(
    uow: UnitOfWork, data: ContractVersionData, event_time: datetime, kept: Any, version_data: dict[str, Any]
) -> None:
    """Keep this version (its newest content), whether or not a later version is held already."""
    if is_newer(kept, data, event_time):
        row = _version_row(data, event_time, version_data)
        await ContractVersions(uow.session).put(row, exists=kept is not None)


async def _apply_latest(
    event: CloudEvent,
    data: ContractVersionData,
    held: Any,
    version_data: dict[str, Any],
    uow: UnitOfWork,
    tracker: Tracker,
) -> None:
    projection = ContractProjection(uow.session)
    now = tracker.now()
    await projection.put(_projection_row(data, event.time, now, version_data), exists=held is not None)
    schedule = await run_memo.schedule(uow, tracker, data.organization_id)  # the calendar, read once
    repo = await run_memo.obligations(uow, tracker, data.organization_id)
    stored = await repo.for_contract(data.contract_id)
    refs = ObligationRefs(data.organization_id, data.contract_id, None, data.payer_id, None, data.payer_name)
    if data.status == TERMINATED:
        changes = _terminate(stored, data.version, refs)
    else:
        today = schedule.local_date(now)
        snapshot = snapshot_of(data, schedule.local_date(event.time))
        derivation = derive_obligations(snapshot, schedule, today)
        changes = plan_changes(reconcile([s.obligation for s in stored], derivation, today), refs)
    for change in changes:
        await apply_change(uow, repo, change, now)
    await apply_contract_measures(uow, tracker, data, terminated=data.status == TERMINATED)


def plan_changes(plan: ReconciliationPlan, refs: ObligationRefs) -> list[Change]:
    """The reconciliation plan as writes, each with the reason the domain recorded."""
    groups = (
        (plan.to_create, "created", "obligation.created", None),
        (plan.to_move, "rescheduled", "obligation.rescheduled", ObligationStatus.OPEN),
        (plan.to_reopen, "reopened", "obligation.rescheduled", ObligationStatus.CANCELLED),
        (plan.to_cancel, "cancelled", "obligation.cancelled", ObligationStatus.OPEN),
    )
    return [
        Change(o, refs, action, event_type, o.reasons[-1], previous)
        for obligations, action, event_type, previous in groups
        for o in obligations
    ]


def _terminate(stored: list[StoredObligation], version: int, refs: ObligationRefs) -> list[Change]:
    reason = f"contract terminated (version {version})"
    return [
        Change(
            s.obligation.cancel(reason),
            refs,
            "cancelled",
            "obligation.cancelled",
            reason,
            s.obligation.status,
        )
        for s in stored
        if s.obligation.is_open
    ]


def _version_row(
    data: ContractVersionData, event_time: datetime, version_data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "contract_id": data.contract_id,
        "version": data.version,
        "organization_id": data.organization_id,
        "status": data.status,
        "effective_from": data.effective_from,
        "effective_to": data.effective_to,
        "event_time": event_time.astimezone(UTC),
        "version_data": version_data,
    }


def _projection_row(
    data: ContractVersionData, event_time: datetime, now: datetime, version_data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "contract_id": data.contract_id,
        "organization_id": data.organization_id,
        "payer_id": data.payer_id,
        "status": data.status,
        "version": data.version,
        "event_time": event_time.astimezone(UTC),
        "version_data": version_data,
        "updated_at": now,
    }
