"""Claim events that arrive before what they need. contract.* events travel on other topics, so
nothing orders them before the claims priced under them, nor a claim.priced before the claim.paid
or claim.variance_detected of the same claim, nor that variance before its status changes: such an
event is parked (in the transaction that records it in the inbox, so it is taken once) and applied,
in the order parked, in the unit of work that brings what it waits for: its contract (or the
version that priced the claim), its claim's pricing, or its variance's appeal deadline.

A payment waits for the pricing itself (recorded when applied), never for the deadlines a pricing
may not create: a claim whose version has no timely filing and no prompt pay still gets its payment
applied. The scheduler's sweep (``release_ready``) applies any parked event whose wait is over, in
case one ever misses its release."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NamedTuple

from accord_common.events import CloudEvent
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.locks import hold_claim, hold_contract
from obligation_tracker.adapters.parked_repository import (
    AWAITING_APPEAL,
    AWAITING_CONTRACT,
    AWAITING_PRICING,
    ParkedClaimEvent,
    ParkedClaimEvents,
    ReadyEvent,
    ready_to_apply,
)
from obligation_tracker.clock import system_clock
from obligation_tracker.handlers import claim_run
from obligation_tracker.handlers.appeals import AppealNotYetOpen, on_variance_status_changed
from obligation_tracker.handlers.claims import (
    ClaimNotYetPriced,
    ContractNotYetKnown,
    on_claim_paid,
    on_claim_priced,
    on_claim_variance,
)
from obligation_tracker.handlers.context import Tracker

log = logging.getLogger(__name__)
ClaimUseCase = Callable[[CloudEvent, UnitOfWork, Tracker], Awaitable[None]]
UowFactory = Callable[[], UnitOfWork]
PARKED_UNTIL = {
    AWAITING_CONTRACT: "claim event parked until its contract arrives",
    AWAITING_PRICING: "claim event parked until its claim is priced",
    AWAITING_APPEAL: "variance status change parked until its appeal deadline exists",
}


async def on_claim_priced_then_waiting(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    """The claim's deadlines, then the payments and variances that waited for its pricing."""
    await on_claim_priced(event, uow, tracker)
    await release_waiting(
        uow, tracker, AWAITING_PRICING, event.data["organization_id"], event.data["claim_id"]
    )


async def on_claim_variance_then_waiting(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    """The appeal deadline, then the variance status changes that waited for it."""
    await on_claim_variance(event, uow, tracker)
    await release_waiting(
        uow, tracker, AWAITING_APPEAL, event.data["organization_id"], event.data["claim_id"]
    )


CLAIM_USE_CASES: dict[str, ClaimUseCase] = {
    "claim.priced": on_claim_priced_then_waiting,
    "claim.paid": on_claim_paid,
    "claim.variance_detected": on_claim_variance_then_waiting,
    "claim.variance_status_changed": on_variance_status_changed,
}
# What the use cases read: ids, dates and amounts, and a pricing's patient control number (the
# claim's deadlines are named by it; later events take it from the recorded pricing). The claim
# lines are never kept.
KEPT_FIELDS: dict[str, tuple[str, ...]] = {
    "claim.priced": (
        "claim_id",
        "organization_id",
        "patient_control_number",
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
    "claim.variance_status_changed": (
        "variance_id",
        "claim_id",
        "organization_id",
        "payer_id",
        "contract_id",
        "classification",
        "from_status",
        "status",
        "changed_on",
        "note",
        "amount",
    ),
}
# The payload models require a patient control number; an event parked without one carries it blank.
MISSING = {"patient_control_number": ""}


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
    except AppealNotYetOpen as unopened:
        waiting = _Waiting(AWAITING_APPEAL, unopened.organization_id, unopened.contract_id)
        await _park(event, waiting, uow)


async def release_parked_claims(
    uow: UnitOfWork, tracker: Tracker, organization_id: str, contract_id: str
) -> None:
    """Apply the claim events that waited for the contract, oldest first, and forget them (one
    that still waits, for another version or for its claim's pricing, parks again). A failure
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


async def release_waiting(
    uow: UnitOfWork, tracker: Tracker, awaiting: str, organization_id: str, claim_id: str
) -> None:
    """Apply the claim's events that waited for ``awaiting`` (its pricing, or its appeal deadline),
    oldest first, and forget them; the same guarantees as above. The claim is held alone first, so
    a waiting event either saw what this unit of work wrote or is parked where this finds it."""
    await claim_run.hold_claim(uow, organization_id, claim_id, exclusive=True)
    taken = await claim_run.parked(uow, organization_id).take_waiting(awaiting, claim_id)
    for parked in taken:
        await on_claim_event(released(parked), uow, tracker)
    if taken:
        log.info(
            "parked claim events applied",
            extra={"organization_id": organization_id, "awaiting": awaiting, "count": len(taken)},
        )


async def release_ready(
    uow_factory: UowFactory, tracker: Tracker, parked_before: datetime, limit: int
) -> int:
    """The safety net: apply each parked event (parked before ``parked_before``) whose wait is
    over, each in its own unit of work; returns how many were applied. One that fails stays parked
    and is logged; the others go on."""
    async with uow_factory() as uow:
        ready = await ready_to_apply(uow.session, parked_before, limit)
    applied = 0
    for one in ready:
        try:
            applied += await _apply_ready(uow_factory(), tracker, one)
        except Exception:
            log.exception("parked claim event still not applicable", extra={"event_id": one.event_id})
    if applied:
        log.warning("parked claim events applied by the sweep", extra={"count": applied})
    return applied


async def _apply_ready(uow: UnitOfWork, tracker: Tracker, ready: ReadyEvent) -> int:
    async with uow:
        # The locks the event's use case takes, in the same order (contract, then claim), before
        # the parked row: a release running now either finished or waits for this one.
        if ready.contract_id is not None:
            await hold_contract(uow.session, ready.contract_id, exclusive=False)
        if ready.claim_id is not None:
            await hold_claim(uow.session, ready.organization_id, ready.claim_id, exclusive=True)
        events = ParkedClaimEvents(uow.session, ready.organization_id)
        parked = await events.take_one(ready.event_id)
        if parked is None:
            return 0  # released meanwhile
        await on_claim_event(released(parked), uow, tracker)
        if await events.holds(ready.event_id):
            return 0  # still waiting (for a version not here yet): left as it was (rolled back)
        await uow.commit()
    return 1


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
    first_time = await claim_run.parked(uow, waiting.organization_id).park(parked)
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
    return CloudEvent.model_validate(parked.event | {"data": MISSING | parked.event["data"]})
