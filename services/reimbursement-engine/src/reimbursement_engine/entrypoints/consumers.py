"""Kafka edge: contract.* and fee_schedule.published build the projection; claim.submitted and
claim.paid from billing systems come in as claims and payments; claim.pricing_requested (the
engine's own) prices the next batch of claims a contract change affects. Each handler runs inside the
consumer's unit of work (inbox row, effect and outbox rows in one transaction)."""

from __future__ import annotations

import logging
from typing import Any

from accord_common.events import CONTRACT_VERSION_EVENTS, CloudEvent
from accord_common.events.payloads import ClaimPricingRequestData
from accord_common.messaging import EventHandler
from accord_common.uow import UnitOfWork
from pydantic import ValidationError

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.remittance_json import from_claim_paid
from reimbursement_engine.domain.repricing import RepricingRequest, RepricingScope
from reimbursement_engine.entrypoints.claim_command import submissions
from reimbursement_engine.entrypoints.schemas_claims import ClaimIn
from reimbursement_engine.handlers import SOURCE
from reimbursement_engine.handlers.claims import store_claims
from reimbursement_engine.handlers.locations import apply_organisation
from reimbursement_engine.handlers.projection import apply_contract_version, apply_fee_schedule_chunk
from reimbursement_engine.handlers.remittances import IngestSummary, store_transactions
from reimbursement_engine.handlers.repricing import reprice_batch

log = logging.getLogger(__name__)
CONTRACT_TOPICS = CONTRACT_VERSION_EVENTS


def claim_in(data: dict[str, Any]) -> dict[str, Any]:
    """A claim.submitted payload (ClaimData) in the claim JSON shape."""
    return {
        "patient_control_number": data.get("patient_control_number"),
        "payer_id": data.get("payer_id"),
        "contract_id": data.get("contract_id"),
        "service_from": data.get("service_date"),
        "service_to": data.get("service_to"),
        "received_date": data.get("received_date"),
        "place_of_service": data.get("place_of_service"),
        "type_of_bill": data.get("type_of_bill"),
        "drg": data.get("drg"),
        "medicare_locality": data.get("medicare_locality"),
        "billing_provider": {
            "npi": data.get("billing_provider_npi"),
            "tin": data.get("billing_provider_tin"),
            "zip_code": data.get("billing_provider_zip"),
        },
        "service_facility": {
            "npi": data.get("service_facility_npi"),
            "zip_code": data.get("service_facility_zip"),
        },
        "line_of_business": data.get("line_of_business"),
        "plan_id": data.get("plan_id"),
        "lines": data.get("lines") or [],
    }


def repricing_request(data: dict[str, Any]) -> RepricingRequest:
    """A claim.pricing_requested payload as the domain's request."""
    body = ClaimPricingRequestData.model_validate(data)
    return RepricingRequest(
        body.organization_id,
        RepricingScope(body.scope),
        body.reason,
        tuple(body.payer_ids),
        body.contract_id,
        body.contract_version,
        body.effective_from,
        body.effective_to,
        body.after_claim_id,
    )


def build_handlers(caches: EngineCaches) -> dict[str, EventHandler]:
    async def on_contract(event: CloudEvent, uow: UnitOfWork) -> None:
        await apply_contract_version(uow, caches, event)

    async def on_fee_schedule(event: CloudEvent, uow: UnitOfWork) -> None:
        await apply_fee_schedule_chunk(uow, caches, event)

    async def on_claim_submitted(event: CloudEvent, uow: UnitOfWork) -> None:
        try:
            claim = ClaimIn.model_validate(claim_in(event.data))
        except ValidationError as exc:  # a bad claim will not get better on retry
            fields = [".".join(str(p) for p in e["loc"]) for e in exc.errors()]
            log.warning("claim.submitted refused", extra={"event_id": event.id, "fields": fields})
            return
        org = event.data["organization_id"]
        await store_claims(uow, caches, org, submissions([claim], "kafka"), skip_duplicates=True)

    async def on_organisation(event: CloudEvent, uow: UnitOfWork) -> None:
        await apply_organisation(uow, caches, event)

    async def on_claim_paid(event: CloudEvent, uow: UnitOfWork) -> None:
        if event.source == SOURCE:
            return  # our own claim.paid, already reconciled when the 835 came in
        org = event.data["organization_id"]
        await store_transactions(
            uow,
            org,
            [from_claim_paid(event.id, event.data)],
            IngestSummary(None),
            tolerance=caches.default_tolerance,
            publish_paid=False,
        )

    async def on_pricing_requested(event: CloudEvent, uow: UnitOfWork) -> None:
        await reprice_batch(uow, caches, repricing_request(event.data))

    handlers: dict[str, EventHandler] = {topic: on_contract for topic in CONTRACT_TOPICS}
    handlers["claim.pricing_requested"] = on_pricing_requested
    handlers["fee_schedule.published"] = on_fee_schedule
    handlers["claim.submitted"] = on_claim_submitted
    handlers["claim.paid"] = on_claim_paid
    handlers["organisation.updated"] = on_organisation
    return handlers
