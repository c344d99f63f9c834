"""Pricing the claims a contract change affects, one bounded batch per transaction.

A first batch that comes back full publishes claim.pricing_requested for every later batch at once
(ranges of claim ids; the engine consumes its own requests), so a change that affects 100,000
claims is never one transaction, and no batch waits for its request to be relayed behind the
previous batch's claim.priced.
"""

from __future__ import annotations

from typing import Any

from accord_common.events import CloudEvent, new_event
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.locks import hold_contract_terms
from reimbursement_engine.domain.repricing import RepricingRequest
from reimbursement_engine.handlers import SOURCE
from reimbursement_engine.handlers.claims import reprice

REPRICE_BATCH = 2000
PLANNED_BATCHES = 100  # at most this many ranges planned at once (200,000 claims); the rest walks on


async def reprice_batch(uow: UnitOfWork, caches: EngineCaches, request: RepricingRequest) -> int:
    """Inside `uow`: price one batch of the request's claims; a full open-ended batch plans the
    later ones (domain.repricing)."""
    await hold_contract_terms(uow.session, request.organization_id, exclusive=False)
    repo = ClaimsRepository(uow.session, request.organization_id)
    if request.until_claim_id is not None:  # a planned range: its claims, however many came since
        rows = await repo.to_reprice(request, limit=None)
    else:
        rows = await repo.to_reprice(request, limit=REPRICE_BATCH)
    if request.until_claim_id is None and len(rows) >= REPRICE_BATCH:
        later = await repo.ids_to_reprice(request, rows[-1].id, REPRICE_BATCH * PLANNED_BATCHES)
        ends = later[REPRICE_BATCH - 1 :: REPRICE_BATCH]
        for planned in request.later_batches(rows[-1].id, ends):  # first: relayed ahead of claim.priced
            uow.publish(request_event(planned))
    return await reprice(uow, caches, request.organization_id, rows)


def request_event(request: RepricingRequest) -> CloudEvent:
    data: dict[str, Any] = {
        "organization_id": request.organization_id,
        "scope": request.scope.value,
        "reason": request.reason,
        "payer_ids": list(request.payer_ids),
        "contract_id": request.contract_id,
        "contract_version": request.contract_version,
        "effective_from": request.effective_from,
        "effective_to": request.effective_to,
        "after_claim_id": request.after_claim_id,
        "until_claim_id": request.until_claim_id,
    }
    org = request.organization_id
    return new_event("claim.pricing_requested", source=SOURCE, subject=org, data=data, organization_id=org)
