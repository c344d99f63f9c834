"""Claim events that arrive before what they need. contract.* events travel on other topics, so
nothing orders them before the claims priced under them, nor a claim.priced before the claim.paid
of the same claim: such an event is parked (in the transaction that records it in the inbox, so it
is taken once) and applied, in the order parked, in the unit of work that brings what it waits
for: its contract into the projection, or (a payment) its claim's pricing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from accord_common.events import CloudEvent
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.locks import hold_claim
from obligation_tracker.adapters.parked_repository import (
    AWAITING_CONTRACT,
    AWAITING_PRICING,
    ParkedClaimEvent,
    ParkedClaimEvents,
)
from obligation_tracker.clock import system_clock
from obligation_tracker.handlers.claims import (
    ClaimNotYetPriced,
    ContractNotYetKnown,
    on_claim_paid,
    on_claim_paid_after_pricing,
    on_claim_priced,
    on_claim_variance,
)
from obligation_tracker.handlers.context import Tracker

log = logging.getLogger(__name__)
ClaimUseCase = Callable[[CloudEvent, UnitOfWork, Tracker], Awaitable[None]]
PARKED_UNTIL = {
    AWAITING_CONTRACT: "claim event parked until its contract arrives",
    AWAITING_PRICING: "payment parked until its claim is priced",
}


async def on_claim_priced_then_payments(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    """The claim's deadlines, then the payments that waited for them."""
    await on_claim_priced(event, uow, tracker)
    await release_waiting_payments(uow, tracker, event.data["organization_id"], event.data["claim_id"])


CLAIM_USE_CASES: dict[str, ClaimUseCase] = {
    "claim.priced": on_claim_priced_then_payments,
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
    """Apply a claim event, or park it until its contract (or its claim's pricing) arrives."""
    await _apply_or_park(event, uow, tracker, CLAIM_USE_CASES[event.type])


async def _apply_or_park(
    event: CloudEvent, uow: UnitOfWork, tracker: Tracker, use_case: ClaimUseCase
) -> None:
    try:
        await use_case(event, uow, tracker)
    except ContractNotYetKnown as missing:
        waiting = _Waiting(AWAITING_CONTRACT, missing.organization_id, missing.contract_id)
        await _park(event, waiting, uow)
    except ClaimNotYetPriced as unpriced:
        waiting = _Waiting(AWAITING_PRICING, unpriced.organization_id, unpriced.contract_id)
        await _park(event, waiting, uow)


async def release_parked_claims(
    uow: UnitOfWork, tracker: Tracker, organization_id: str, contract_id: str
) -> None:
    """Apply the claim events that waited for the contract, oldest first, and forget them (a
    payment whose claim is still not priced parks again, now for the pricing). A failure
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


async def release_waiting_payments(
    uow: UnitOfWork, tracker: Tracker, organization_id: str, claim_id: str
) -> None:
    """Apply the payments that waited for the claim's pricing, oldest first, and forget them; the
    same guarantees as above, for the claim.priced event. The claim is held alone first, so a
    payment either saw the deadlines this pricing created or is parked where this finds it."""
    await hold_claim(uow.session, organization_id, claim_id, exclusive=True)
    taken = await ParkedClaimEvents(uow.session, organization_id).take_payments(claim_id)
    for parked in taken:
        await _apply_or_park(released(parked), uow, tracker, on_claim_paid_after_pricing)
    if taken:
        log.info(
            "payments applied after their claim's pricing",
            extra={"organization_id": organization_id, "claim_id": claim_id, "count": len(taken)},
        )


class _Waiting(NamedTuple):
    awaiting: str
    organization_id: str
    contract_id: str | None


async def _park(event: CloudEvent, waiting: _Waiting, uow: UnitOfWork) -> None:
    # The wall clock, not the tracker's (which tests hold still): parked order is arrival order.
    parked_at = system_clock()
    claim_id = event.data.get("claim_id")
    parked = ParkedClaimEvent(
        event.id,
        waiting.organization_id,
        waiting.contract_id,
        event.type,
        parked_form(event),
        parked_at,
        waiting.awaiting,
        str(claim_id) if claim_id is not None else None,
    )
    first_time = await ParkedClaimEvents(uow.session, waiting.organization_id).park(parked)
    log.info(
        PARKED_UNTIL[waiting.awaiting] if first_time else "claim event already parked",
        extra={
            "event_id": event.id,
            "event_type": event.type,
            "organization_id": waiting.organization_id,
            "contract_id": waiting.contract_id,
            "claim_id": claim_id,
        },
    )


def parked_form(event: CloudEvent) -> dict[str, Any]:
    """The envelope as JSON with its data cut to the fields the use cases read."""
    kept = {name: event.data[name] for name in KEPT_FIELDS[event.type] if name in event.data}
    return event.model_dump(mode="json") | {"data": kept}


def released(parked: ParkedClaimEvent) -> CloudEvent:
    return CloudEvent.model_validate(parked.event | {"data": parked.event["data"] | WITHHELD})
