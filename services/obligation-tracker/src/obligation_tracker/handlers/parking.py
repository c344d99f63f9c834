"""Claim events that arrive before their contract. contract.* events travel on other topics, so
nothing orders them before the claims priced under them: such a claim event is parked (in the
transaction that records it in the inbox, so it is taken once) and applied, in the order parked,
in the unit of work that brings its contract into the projection."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from accord_common.events import CloudEvent
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.parked_repository import ParkedClaimEvent, ParkedClaimEvents
from obligation_tracker.clock import system_clock
from obligation_tracker.handlers.claims import (
    ContractNotYetKnown,
    on_claim_paid,
    on_claim_priced,
    on_claim_variance,
)
from obligation_tracker.handlers.context import Tracker

log = logging.getLogger(__name__)
ClaimUseCase = Callable[[CloudEvent, UnitOfWork, Tracker], Awaitable[None]]

CLAIM_USE_CASES: dict[str, ClaimUseCase] = {
    "claim.priced": on_claim_priced,
    "claim.paid": on_claim_paid,
    "claim.variance_detected": on_claim_variance,
}
# What the use cases read: ids, dates and amounts. The patient control number and the claim lines
# are never kept; the payload models require the former, so a released event carries it blank.
KEPT_FIELDS: dict[str, tuple[str, ...]] = {
    "claim.priced": (
        "claim_id",
        "organization_id",
        "payer_id",
        "contract_id",
        "contract_version",
        "service_date",
        "service_to",
        "received_date",
        "total_charge",
        "expected_allowed",
    ),
    "claim.paid": (
        "claim_id",
        "organization_id",
        "payer_id",
        "contract_id",
        "remittance_id",
        "paid_amount",
        "patient_responsibility",
        "paid_date",
        "claim_status_code",
    ),
    "claim.variance_detected": (
        "claim_id",
        "organization_id",
        "payer_id",
        "contract_id",
        "variance_id",
        "classification",
        "expected_allowed",
        "paid_amount",
        "patient_responsibility",
        "variance",
        "remittance_date",
    ),
}
WITHHELD = {"patient_control_number": ""}


async def on_claim_event(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    """Apply a claim event, or park it until its contract reaches the projection."""
    try:
        await CLAIM_USE_CASES[event.type](event, uow, tracker)
    except ContractNotYetKnown as missing:
        await _park(event, missing, uow)


async def release_parked_claims(
    uow: UnitOfWork, tracker: Tracker, organization_id: str, contract_id: str
) -> None:
    """Apply the contract's parked claim events, oldest first, and forget them. A failure
    propagates: the contract event is retried and its unit of work, these deletions included,
    rolls back, so no parked event is lost."""
    taken = await ParkedClaimEvents(uow.session, organization_id).take(contract_id)
    for parked in taken:
        await on_claim_event(released(parked), uow, tracker)
    if taken:
        log.info(
            "parked claim events applied",
            extra={"organization_id": organization_id, "contract_id": contract_id, "count": len(taken)},
        )


async def _park(event: CloudEvent, missing: ContractNotYetKnown, uow: UnitOfWork) -> None:
    # The wall clock, not the tracker's (which tests hold still): parked order is arrival order.
    parked_at = system_clock()
    parked = ParkedClaimEvent(
        event.id, missing.organization_id, missing.contract_id, event.type, parked_form(event), parked_at
    )
    first_time = await ParkedClaimEvents(uow.session, missing.organization_id).park(parked)
    log.info(
        "claim event parked until its contract arrives" if first_time else "claim event already parked",
        extra={
            "event_id": event.id,
            "event_type": event.type,
            "organization_id": missing.organization_id,
            "contract_id": missing.contract_id,
            "claim_id": event.data.get("claim_id"),
        },
    )


def parked_form(event: CloudEvent) -> dict[str, Any]:
    """The envelope as JSON with its data cut to the fields the use cases read."""
    kept = {name: event.data[name] for name in KEPT_FIELDS[event.type] if name in event.data}
    return event.model_dump(mode="json") | {"data": kept}


def released(parked: ParkedClaimEvent) -> CloudEvent:
    return CloudEvent.model_validate(parked.event | {"data": parked.event["data"] | WITHHELD})
