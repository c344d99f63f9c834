"""Pricing the claims a contract change affects, one bounded batch per transaction.

A batch that comes back full publishes claim.pricing_requested for the next one (the engine
consumes its own request), so a change that affects 100,000 claims is never one transaction.
"""

from __future__ import annotations

from typing import Any

from accord_common.events import CloudEvent, new_event
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.locks import hold_contract_terms
from reimbursement_engine.domain.repricing import RepricingRequest, RepricingScope
from reimbursement_engine.handlers import SOURCE
from reimbursement_engine.handlers.claims import reprice

REPRICE_BATCH = 2000


async def reprice_batch(uow: UnitOfWork, caches: EngineCaches, request: RepricingRequest) -> int:
    """Inside `uow`: price one batch of the request's claims; a full batch asks for the next."""
    await hold_contract_terms(uow.session, request.organization_id, exclusive=False)
    repo = ClaimsRepository(uow.session, request.organization_id)
    if request.scope is RepricingScope.PENDING:
        rows = await repo.pending_batch(
            request.payer_ids, request.contract_id, request.after_claim_id, REPRICE_BATCH
        )
    else:
        if request.contract_id is None or request.contract_version is None or not request.effective_from:
            raise ValueError(f"a {request.scope} request needs contract_id, version and effective_from")
        rows = await repo.priced_on_or_after(
            request.contract_id,
            request.effective_from,
            request.effective_to,
            request.contract_version,
            REPRICE_BATCH,
            request.after_claim_id,
        )
    if len(rows) >= REPRICE_BATCH:  # published first: the relay sends it ahead of this batch's claim.priced
        uow.publish(request_event(request.next_batch(rows[-1].id)))
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
    }
    org = request.organization_id
    return new_event("claim.pricing_requested", source=SOURCE, subject=org, data=data, organization_id=org)
