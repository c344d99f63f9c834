"""Which claims a contract covers, and where the organisation renders services: both reach the
engine by event (contract.* carry the scope, organisation.updated the locations)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from accord_common.events import CloudEvent
from registry_helpers import PROFESSIONAL, new_contract, ok

from conftest import Registry

FACILITY_SCOPE = {
    "claim_types": ["institutional"],
    "bill_types": ["13", "83"],
    "provider_tins": ["123456789"],
}
PROFILE = {
    "name": "St Mary Medical Group",
    "locations": [
        {
            "name": "San Francisco campus",
            "medicare_locality": {"mac": "01112", "locality": "05"},
            "npis": ["1555555550"],
            "zip_code": "94110",
            "cbsa": "41884",
        }
    ],
}


async def _consume(
    registry: Registry, topics: list[str], wanted: Any, timeout: float = 60
) -> list[CloudEvent]:
    consumer = registry.runtime.kafka.consumer(*topics, group_id=f"registry-test-{uuid.uuid4().hex[:8]}")
    await consumer.start()
    seen: list[CloudEvent] = []
    try:
        async with asyncio.timeout(timeout):
            while not wanted(seen):
                batches = await consumer.getmany(timeout_ms=500)
                seen.extend(CloudEvent.from_bytes(m.value) for ms in batches.values() for m in ms)
    finally:
        await consumer.stop()
    return seen


async def test_a_contract_scope_is_kept_shown_and_published(registry: Registry) -> None:
    contract = await new_contract(registry.a, scope=FACILITY_SCOPE, payment_terms=[PROFESSIONAL])
    cid = contract["id"]
    stored = {"claim_types": ["institutional"], "bill_types": ["13", "83"], "provider_tins": ["12-3456789"]}
    assert contract["scope"] == {**stored, "provider_npis": []}
    # a draft's scope is edited in place and published again (same version number)
    patched = ok(
        await registry.a.patch(f"/v1/contracts/{cid}", json={"scope": {"provider_npis": ["1555555550"]}})
    )
    assert patched["scope"] == {
        "claim_types": [],
        "bill_types": [],
        "provider_tins": [],
        "provider_npis": ["1555555550"],
    }

    def both(events: list[CloudEvent]) -> bool:
        return {e.type for e in events if e.subject == cid} >= {"contract.created", "contract.amended"}

    events = [
        e
        for e in await _consume(registry, ["contract.created", "contract.amended"], both)
        if e.subject == cid
    ]
    created = next(e for e in events if e.type == "contract.created")
    amended = next(e for e in events if e.type == "contract.amended")
    assert (created.data["claim_types"], created.data["bill_types"], created.data["provider_tins"]) == (
        ["institutional"],
        ["13", "83"],
        ["12-3456789"],
    )
    assert (amended.data["version"], amended.data["provider_npis"], amended.data["claim_types"]) == (
        1,
        ["1555555550"],
        [],
    )


async def test_a_scope_the_engine_could_not_match_is_refused_naming_the_field(registry: Registry) -> None:
    cases = [
        ({"provider_npis": ["1234567890"]}, "scope.provider_npis[0]", "check digit"),
        ({"provider_tins": ["12345"]}, "scope.provider_tins[0]", "is not an EIN"),
        ({"bill_types": ["0131"]}, "scope.bill_types[0]", "2 digits"),
        (
            {"claim_types": ["professional"], "bill_types": ["13"]},
            "scope.bill_types",
            "institutional claims only",
        ),
    ]
    payer = ok(await registry.a.post("/v1/payers", json={"name": "Acme"}), 201)
    for scope, field, message in cases:
        body = {
            "payer_id": payer["id"],
            "name": "Refused scope",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "scope": scope,
        }
        response = await registry.a.post("/v1/contracts", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text and message in response.text
    listed = ok(await registry.a.get("/v1/contracts", params={"q": "Refused scope"}))
    assert listed["items"] == []  # nothing half-written


async def test_the_organisation_locations_are_published_for_pricing(registry: Registry) -> None:
    ok(await registry.a.put("/v1/organisation", json=PROFILE))

    def mine(events: list[CloudEvent]) -> bool:
        return any(e.subject == registry.org_a for e in events)

    events = await _consume(registry, ["organisation.updated"], mine)
    event = next(e for e in events if e.subject == registry.org_a)
    assert event.organizationid == registry.org_a
    assert event.data["locations"] == [
        {
            "name": "San Francisco campus",
            "medicare_locality": {"mac": "01112", "locality": "05"},
            "npis": ["1555555550"],
            "zip_code": "94110",
            "cbsa": "41884",
        }
    ]
    assert "required_approver_roles" not in event.data


async def test_a_location_that_would_mislead_pricing_is_refused(registry: Registry) -> None:
    location = PROFILE["locations"][0]  # type: ignore[index]
    cases = [
        ({**location, "npis": ["1234567890"]}, "locations[0].npis[0]"),
        ({**location, "zip_code": "9411"}, "locations[0].zip_code"),
        ({**location, "cbsa": "418"}, "locations[0].cbsa"),
    ]
    for bad, field in cases:
        response = await registry.a.put("/v1/organisation", json={**PROFILE, "locations": [bad]})
        assert response.status_code == 422, response.text
        assert field in response.text
    twice = {**PROFILE, "locations": [location, {**location, "name": "Annex"}]}
    response = await registry.a.put("/v1/organisation", json=twice)
    assert response.status_code == 422 and "an NPI is listed at two locations" in response.text
