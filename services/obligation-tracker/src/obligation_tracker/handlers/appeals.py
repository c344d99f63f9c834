"""claim.variance_status_changed: staff appealed, recovered or wrote off a variance in the engine;
the claim's appeal deadline is completed or cancelled with that outcome.

A change that arrives before the variance's appeal deadline exists (claim.variance_detected travels
on another topic) raises AppealNotYetOpen before it writes; handlers/parking.py parks it until the
appeal deadline is created."""

from __future__ import annotations

from accord_common.events import CloudEvent
from accord_common.events.payloads import VarianceStatusChangedData
from accord_common.uow import UnitOfWork

from obligation_tracker.domain import (
    ObligationKind,
    ObligationStatus,
    VarianceOutcome,
    VarianceStatus,
    appealable_outcome,
    settle_appeal,
)
from obligation_tracker.handlers import claim_run
from obligation_tracker.handlers.claims import claim_version, terms_of
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.publishing import Change, apply_change


class AppealNotYetOpen(LookupError):
    """The variance's appeal deadline has not been created yet: the change waits for it (parked)."""

    def __init__(self, claim_id: str, organization_id: str, contract_id: str | None) -> None:
        super().__init__(f"claim {claim_id} has no appeal deadline yet")
        self.claim_id = claim_id
        self.organization_id = organization_id
        self.contract_id = contract_id


async def on_variance_status_changed(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    """Appealed or recovered: the appeal deadline is completed; written off: it is cancelled."""
    change = VarianceStatusChangedData.model_validate(event.data)
    if appealable_outcome(change.classification) is None or change.contract_id is None:
        return  # an overpayment never opened an appeal deadline
    org, claim_id = change.organization_id, change.claim_id
    await claim_run.hold_claim(uow, org, claim_id, exclusive=False)
    repo = await claim_run.obligations(uow, tracker, org)
    appeal = await repo.for_claim(claim_id, ObligationKind.APPEAL)
    if appeal is None:
        if await _no_appeal_window(uow, org, claim_id):
            return
        raise AppealNotYetOpen(claim_id, org, change.contract_id)
    outcome = VarianceOutcome(VarianceStatus(change.status), change.changed_on, change.note, change.amount)
    settled = settle_appeal(appeal.obligation, outcome)
    if settled is None:
        return
    cancelled = settled.status is ObligationStatus.CANCELLED
    action, event_type = (
        ("cancelled", "obligation.cancelled") if cancelled else ("completed", "obligation.completed")
    )
    await apply_change(
        uow,
        repo,
        Change(settled, appeal.refs, action, event_type, settled.reasons[-1], appeal.obligation.status),
        tracker.now(),
    )


async def _no_appeal_window(uow: UnitOfWork, organization_id: str, claim_id: str) -> bool:
    """Whether the version that priced the claim has no appeal window (no deadline will ever come)."""
    pricing = await claim_run.pricings(uow, organization_id).get(claim_id)
    if pricing is None:
        return False
    data = await claim_version(
        uow, pricing.contract_id, organization_id, pricing.service_date, pricing.contract_version, hold=False
    )
    return terms_of(data).appeal_window_days is None
