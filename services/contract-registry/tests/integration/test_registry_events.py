"""contract.* and fee_schedule.published really reach Kafka (topics are shared: filter by our ids)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from accord_common.events import CloudEvent
from accord_common.events.payloads import ContractVersionData
from registry_helpers import CSV_HEADER, import_csv, new_contract, ok, version_body

from conftest import Registry

ROWS = "".join(f"CPT,{10000 + i:05d},,11,,unit,amount,{50 + i}.25,,2026-01-01,\n" for i in range(2500))


async def _consume(
    registry: Registry, topics: list[str], wanted: Any, timeout: float = 60
) -> list[CloudEvent]:
    """Read the topics from the beginning until `wanted(events)` is true."""
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


async def test_contract_events_carry_the_full_version_to_kafka(registry: Registry) -> None:
    contract = await new_contract(
        registry.a, credentialing=[{"kind": "recredentialing", "due_date": "2026-09-30"}]
    )
    cid = contract["id"]
    ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/versions",
            json=version_body("2026-07-01", termination_date="2028-06-30", notice_days=120),
        ),
        201,
    )

    def both(events: list[CloudEvent]) -> bool:
        return {e.type for e in events if e.subject == cid} >= {"contract.created", "contract.amended"}

    events = [
        e
        for e in await _consume(registry, ["contract.created", "contract.amended"], both)
        if e.subject == cid
    ]
    created = next(e for e in events if e.type == "contract.created")
    amended = next(e for e in events if e.type == "contract.amended")
    assert created.organizationid == registry.org_a
    assert created.data["status"] == "draft" and created.data["version"] == 1
    _check_names_and_credentialing(created, amended)
    assert (created.data["terms"]["termination_date"], created.data["terms"]["notice_days"]) == (
        "2027-12-31",
        90,
    )
    assert amended.data["version"] == 2 and amended.data["effective_from"] == "2026-07-01"
    assert (amended.data["terms"]["termination_date"], amended.data["terms"]["notice_days"]) == (
        "2028-06-30",
        120,
    )


def _check_names_and_credentialing(created: CloudEvent, amended: CloudEvent) -> None:
    data = ContractVersionData.model_validate(created.data)
    assert (data.contract_name, data.payer_name) == ("Acme PPO professional 2026", "Acme Health Plan")
    assert [(c.kind, c.due_date.isoformat()) for c in data.credentialing] == [
        ("recredentialing", "2026-09-30")
    ]
    # the version body sent none: an amendment inherits every term it leaves out
    assert amended.data["credentialing"] == created.data["credentialing"]
    assert (created.data["revision"], amended.data["revision"]) == (1, 2)


async def test_a_fee_schedule_is_published_in_chunks_keyed_by_its_id(registry: Registry) -> None:
    schedule = ok(await import_csv(registry.a, CSV_HEADER + ROWS), 201)["schedule"]
    sid = schedule["id"]

    def complete(events: list[CloudEvent]) -> bool:
        return len({e.data["chunk_index"] for e in events if e.subject == sid}) == 3

    chunks = sorted(
        (e for e in await _consume(registry, ["fee_schedule.published"], complete) if e.subject == sid),
        key=lambda e: e.data["chunk_index"],
    )
    chunks = list({e.data["chunk_index"]: e for e in chunks}.values())  # at least once: drop repeats
    assert [len(e.data["rows"]) for e in chunks] == [1000, 1000, 500]
    assert {(e.data["chunk_count"], e.data["row_count"], e.data["content_hash"]) for e in chunks} == {
        (3, 2500, schedule["content_hash"])
    }
    assert chunks[0].data["rows"][0] == {
        "code_system": "CPT",
        "code": "10000",
        "rate_kind": "amount",
        "effective_from": "2026-01-01",
        "effective_to": None,
        "modifiers": [],
        "place_of_service": "11",
        "setting": None,
        "unit": "unit",
        "amount": "50.25",
        "percentage": None,
    }
