"""The Kafka edge (entrypoints/consumers.py) hands the use cases the catalogue's typed payload model
and refuses a payload off its model by raising (naming the field), so the consumer loop dead-letters
it; nothing is written for it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from accord_common.events import CloudEvent
from accord_common.events.payloads import ClaimPaidData
from notifier.adapters.orm import contracts, deliveries
from notifier.entrypoints.consumers import payload_of
from notifier_world import ORG, World
from pydantic import ValidationError

PAID = {
    "organization_id": ORG,
    "patient_control_number": "K-1",
    "payer_id": "60054",
    "paid_amount": "112.37",
    "paid_date": "2026-04-02",
}


def event(event_type: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(source="billing-system", type=event_type, subject="s-1", organizationid=ORG, data=data)


def test_the_payload_is_the_catalogue_model() -> None:
    paid = payload_of(event("claim.paid", PAID))
    assert isinstance(paid, ClaimPaidData)
    assert paid.paid_amount == Decimal("112.37")


async def test_a_valid_event_is_delivered_through_its_typed_payload(world: World) -> None:
    await world.subscribe(event_types=["claim.*"], filters={"payer_id": "60054"})
    await world.consume_as_the_consumer_does(event("claim.paid", PAID))
    await world.consume_as_the_consumer_does(event("claim.paid", PAID | {"payer_id": "other"}))
    assert len(await world.rows(deliveries)) == 1


@pytest.mark.parametrize(
    ("event_type", "data", "field"),
    [
        ("claim.paid", PAID | {"paid_amount": "twelve"}, "paid_amount"),
        ("claim.paid", {k: v for k, v in PAID.items() if k != "paid_date"}, "paid_date"),
        ("contract.activated", {"organization_id": ORG, "payer_id": "60054"}, "contract_id"),
    ],
)
async def test_an_invalid_payload_is_refused_naming_the_field_and_nothing_is_written(
    world: World, event_type: str, data: dict[str, Any], field: str
) -> None:
    await world.subscribe(event_types=["claim.*", "contract.*"])
    with pytest.raises(ValidationError) as refused:
        await world.consume_as_the_consumer_does(event(event_type, data))
    assert field in {str(part) for error in refused.value.errors() for part in error["loc"]}
    assert await world.rows(deliveries) == []
    assert await world.rows(contracts) == []
