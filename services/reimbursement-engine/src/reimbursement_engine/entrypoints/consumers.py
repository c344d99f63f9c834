"""Kafka edge: contract.* and fee_schedule.published build the projection; claim.submitted and
claim.paid from billing systems come in as claims and payments; claim.pricing_requested (the
engine's own) prices the next batch of claims a contract change affects. Each handler runs inside the
consumer's unit of work (inbox row, effect and outbox rows in one transaction)."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from accord_common.events import CONTRACT_VERSION_EVENTS, CloudEvent
from accord_common.events.payloads import (
    ClaimData,
    ClaimPaidData,
    ClaimPricingRequestData,
    ContractVersionData,
    FeeScheduleChunkData,
    OrganisationData,
    Payload,
)
from accord_common.messaging import EventHandler
from accord_common.messaging.batch import ignoring_sources
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
P = TypeVar("P", bound=Payload)


def typed(model: type[P], event: CloudEvent) -> P:
    """The event's payload as the catalogue's model; an invalid payload raises ValidationError (naming
    the field), so the consumer loop dead-letters it: it will not get better on retry."""
    return model.model_validate(event.data)


def claim_in(data: ClaimData) -> dict[str, Any]:
    """A claim.submitted payload (ClaimData) in the claim JSON shape."""
    return {
        "patient_control_number": data.patient_control_number,
        "payer_id": data.payer_id,
        "contract_id": data.contract_id,
        "service_from": data.service_date,
        "service_to": data.service_to,
        "received_date": data.received_date,
        "place_of_service": data.place_of_service,
        "type_of_bill": data.type_of_bill,
        "drg": data.drg,
        "medicare_locality": data.medicare_locality,
        "billing_provider": {
            "npi": data.billing_provider_npi,
            "tin": data.billing_provider_tin,
            "zip_code": data.billing_provider_zip,
        },
        "service_facility": {
            "npi": data.service_facility_npi,
            "zip_code": data.service_facility_zip,
        },
        "beneficiary_zip": data.beneficiary_zip,
        "line_of_business": data.line_of_business,
        "plan_id": data.plan_id,
        "lines": data.lines,
    }


def repricing_request(body: ClaimPricingRequestData) -> RepricingRequest:
    """A claim.pricing_requested payload as the domain's request."""
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
        body.until_claim_id,
    )


def build_handlers(caches: EngineCaches) -> dict[str, EventHandler]:
    async def on_contract(event: CloudEvent, uow: UnitOfWork) -> None:
        await apply_contract_version(uow, caches, event.type, typed(ContractVersionData, event))

    async def on_fee_schedule(event: CloudEvent, uow: UnitOfWork) -> None:
        await apply_fee_schedule_chunk(uow, caches, typed(FeeScheduleChunkData, event))

    async def on_claim_submitted(event: CloudEvent, uow: UnitOfWork) -> None:
        data = typed(ClaimData, event)
        try:
            claim = ClaimIn.model_validate(claim_in(data))
        except ValidationError as exc:  # a bad claim will not get better on retry
            fields = [".".join(str(p) for p in e["loc"]) for e in exc.errors()]
            log.warning("claim.submitted refused", extra={"event_id": event.id, "fields": fields})
            return
        commands = submissions([claim], "kafka")
        await store_claims(uow, caches, data.organization_id, commands, skip_duplicates=True)

    async def on_organisation(event: CloudEvent, uow: UnitOfWork) -> None:
        await apply_organisation(uow, caches, typed(OrganisationData, event))

    async def on_claim_paid(event: CloudEvent, uow: UnitOfWork) -> None:
        paid = typed(ClaimPaidData, event)
        await store_transactions(
            uow,
            paid.organization_id,
            [from_claim_paid(event.id, paid)],
            IngestSummary(None),
            tolerance=caches.default_tolerance,
            publish_paid=False,
        )

    async def on_pricing_requested(event: CloudEvent, uow: UnitOfWork) -> None:
        await reprice_batch(uow, caches, repricing_request(typed(ClaimPricingRequestData, event)))

    handlers: dict[str, EventHandler] = {topic: on_contract for topic in CONTRACT_TOPICS}
    handlers["claim.pricing_requested"] = on_pricing_requested
    handlers["fee_schedule.published"] = on_fee_schedule
    handlers["claim.submitted"] = on_claim_submitted
    # our own claim.paid was reconciled when the 835 came in: ignored before any transaction
    handlers["claim.paid"] = ignoring_sources(on_claim_paid, {SOURCE})
    handlers["organisation.updated"] = on_organisation
    return handlers
