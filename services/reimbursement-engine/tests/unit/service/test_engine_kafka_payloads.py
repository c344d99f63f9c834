"""The Kafka edge (entrypoints/consumers.py) hands the use cases the catalogue's typed payload models,
and refuses a payload off its model by raising (naming the field) so the consumer loop dead-letters
it, before any use case reads it or anything is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest
from accord_common.events import CloudEvent
from accord_common.events.payloads import ClaimData, ClaimPaidData, ClaimPricingRequestData
from accord_common.messaging.batch import handler_for
from accord_common.uow import UnitOfWork
from pydantic import ValidationError
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.remittance_json import from_claim_paid
from reimbursement_engine.domain.repricing import RepricingScope
from reimbursement_engine.entrypoints.consumers import build_handlers, repricing_request, typed
from reimbursement_engine.handlers import SOURCE

NO_UOW = cast(UnitOfWork, None)  # a refused payload never reaches the unit of work


def event(event_type: str, data: dict[str, Any], source: str = "billing-system") -> CloudEvent:
    return CloudEvent(source=source, type=event_type, subject="s-1", data=data)


PAID = {
    "organization_id": "org-1",
    "patient_control_number": "K-1",
    "payer_id": "60054",
    "paid_amount": "112.37",
    "patient_responsibility": "20.05",
    "paid_date": "2026-04-02",
}


def test_typed_gives_the_catalogue_model() -> None:
    paid = typed(ClaimPaidData, event("claim.paid", PAID))
    assert isinstance(paid, ClaimPaidData)
    assert paid.paid_amount == Decimal("112.37")
    assert paid.paid_date == date(2026, 4, 2)


def test_a_claim_paid_model_becomes_a_one_claim_remittance_to_the_cent_and_day() -> None:
    tx = from_claim_paid("ev-1", ClaimPaidData.model_validate(PAID))
    assert tx.payment_date == date(2026, 4, 2)
    assert tx.trace_number == "event:ev-1"
    (claim,) = tx.claims
    assert claim.patient_control_number == "K-1"
    assert (claim.paid, claim.patient_responsibility) == (Decimal("112.37"), Decimal("20.05"))


def test_a_pricing_request_model_becomes_the_domain_request() -> None:
    body = ClaimPricingRequestData.model_validate(
        {
            "organization_id": "org-1",
            "scope": "version",
            "reason": "contract.activated c-1 v2",
            "payer_ids": ["60054"],
            "contract_id": "c-1",
            "contract_version": 2,
            "effective_from": "2026-01-01",
        }
    )
    request = repricing_request(body)
    assert request.scope is RepricingScope.VERSION
    assert request.payer_ids == ("60054",)
    assert request.effective_from == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("event_type", "data", "field"),
    [
        ("claim.submitted", {"organization_id": "org-1", "patient_control_number": "K-1"}, "payer_id"),
        ("claim.paid", PAID | {"paid_amount": "twelve"}, "paid_amount"),
        ("claim.paid", {k: v for k, v in PAID.items() if k != "paid_date"}, "paid_date"),
        ("claim.pricing_requested", {"organization_id": "org-1", "scope": "all", "reason": "x"}, "scope"),
        ("contract.activated", {"organization_id": "org-1"}, "contract_id"),
        ("fee_schedule.published", {"organization_id": "org-1"}, "schedule_id"),
        ("organisation.updated", {}, "organization_id"),
    ],
)
async def test_an_invalid_payload_is_refused_naming_the_field(
    event_type: str, data: dict[str, Any], field: str
) -> None:
    handler = build_handlers(EngineCaches())[event_type]
    with pytest.raises(ValidationError) as refused:
        await handler(event(event_type, data), NO_UOW)
    assert field in {str(part) for error in refused.value.errors() for part in error["loc"]}


def test_claim_submitted_is_the_claim_model() -> None:
    data = ClaimData.model_validate(
        {
            "claim_id": "c-1",
            "organization_id": "org-1",
            "patient_control_number": "K-1",
            "payer_id": "60054",
            "service_date": "2026-03-14",
            "total_charge": "150.00",
        }
    )
    assert typed(ClaimData, event("claim.submitted", data.model_dump(mode="json"))) == data


def test_the_engines_own_claim_paid_is_ignored_and_a_billing_systems_is_handled() -> None:
    """Its own claim.paid was reconciled with the 835 that made it: the consumer drops it before any
    transaction; a billing system's payment event is stored and reconciled."""
    handlers = build_handlers(EngineCaches())
    assert handler_for(handlers, event("claim.paid", PAID, source=SOURCE)) is None
    assert handler_for(handlers, event("claim.paid", PAID)) is handlers["claim.paid"]
    assert handler_for(handlers, event("claim.submitted", {}, source=SOURCE)) is handlers["claim.submitted"]
