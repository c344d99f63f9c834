"""End to end over Kafka: contract and fee schedule events in, an underpaid claim, the variance out."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from accord_common.events import CloudEvent
from accord_common.messaging import KafkaConfig
from engine_helpers import (
    Engine,
    claim_json,
    clp,
    contract_event,
    fee_row,
    line,
    new_org,
    remit_835,
    schedule_events,
    start_engine,
    term,
)

D = Decimal


@pytest.fixture
async def kafka_engine(postgres_server, kafka_broker) -> AsyncIterator[tuple[Engine, KafkaConfig]]:  # type: ignore[no-untyped-def]
    url = await postgres_server.create_database_async(f"engine_k_{uuid.uuid4().hex[:8]}")
    async with start_engine(url, kafka_bootstrap=kafka_broker.bootstrap, medicare=False) as running:
        yield (
            running,
            KafkaConfig(kafka_broker.bootstrap, session_timeout_ms=6000, heartbeat_interval_ms=2000),
        )


async def _produce(kafka: KafkaConfig, events: list[CloudEvent]) -> None:
    producer = kafka.producer()
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(event.type, value=event.to_bytes(), key=event.subject.encode())
    finally:
        await producer.stop()


async def _wait_priced(engine: Engine, claim_id: str, headers: dict[str, str]) -> dict[str, Any]:
    async with asyncio.timeout(90):
        while True:
            claim = (await engine.client.get(f"/v1/claims/{claim_id}", headers=headers)).json()
            if claim["status"] == "priced":
                return claim  # type: ignore[no-any-return]
            await asyncio.sleep(0.3)


async def _wait_held(engine: Engine, contract_id: str) -> None:
    from reimbursement_engine.adapters.projection_repo import ProjectionRepository

    async with asyncio.timeout(90):
        while True:
            async with engine.runtime.sessions() as session:
                if await ProjectionRepository(session).contract(contract_id) is not None:
                    return
            await asyncio.sleep(0.3)


async def _consume_variance(kafka: KafkaConfig, claim_id: str) -> CloudEvent:
    consumer = kafka.consumer("claim.variance_detected", group_id=f"test-{uuid.uuid4().hex[:8]}")
    await consumer.start()
    try:
        async with asyncio.timeout(90):
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        event = CloudEvent.from_bytes(record.value)
                        if event.subject == claim_id:  # the topic is shared between tests
                            return event
    finally:
        await consumer.stop()


async def test_an_underpaid_claim_end_to_end_over_kafka(kafka_engine: tuple[Engine, KafkaConfig]) -> None:
    engine, kafka = kafka_engine
    org = new_org()
    headers = await engine.key(org)
    contract_id, payer = str(uuid.uuid4()), f"PAYER-{uuid.uuid4().hex[:6]}"
    ref, chunks = schedule_events(
        org, f"fs-{contract_id}", [fee_row("99213", "95.00"), fee_row("99214", "140.00")], chunk_size=1
    )
    visits = term(
        "visits", {"kind": "fee_schedule", "schedule_id": ref["schedule_id"]}, ("CPT", "99201", "99499")
    )
    await _produce(
        kafka, [contract_event(org, contract_id, payer, payment_terms=[visits], fee_schedule=ref), *chunks]
    )
    body = claim_json("PCN-KAFKA-1", payer, line("99213", "180.00"), line("99214", "220.00"))
    created = (await engine.client.post("/v1/claims", json=body, headers=headers)).json()
    claim = await _wait_priced(engine, created["id"], headers)
    assert D(claim["expected_allowed"]) == D("235.00")
    remit = remit_835(
        "TRACE-KAFKA-1",
        clp(
            "PCN-KAFKA-1",
            "400.00",
            "200.00",
            svc=[
                ("99213", "180.00", "90.00", [("CO", "45", "90.00")]),
                ("99214", "220.00", "110.00", [("CO", "45", "110.00")]),
            ],
        ),
    )
    remit = remit.replace(b"N1*PR*ACME HEALTH*XV*60054", f"N1*PR*ACME HEALTH*XV*{payer}".encode())
    out = (await engine.client.post("/v1/remittances/x12", content=remit, headers=headers)).json()
    assert out["classifications"] == {"underpaid": 1}
    event = await _consume_variance(kafka, created["id"])
    assert event.data["classification"] == "underpaid"
    assert D(event.data["variance"]) == D("35.00")
    worklist = (await engine.client.get("/v1/worklist", headers=headers)).json()["items"]
    assert {(e["code"], D(e["amount"])) for e in worklist} == {("99213", D("5.00")), ("99214", D("30.00"))}


async def test_claims_waiting_for_a_contract_are_priced_batch_by_batch_over_kafka(
    kafka_engine: tuple[Engine, KafkaConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five claims wait; the contract is activated; batches of two, each its own transaction,
    hand over to the next through claim.pricing_requested on the broker (issue 10 item 2)."""
    from reimbursement_engine.handlers import repricing

    monkeypatch.setattr(repricing, "REPRICE_BATCH", 2)
    engine, kafka = kafka_engine
    org = new_org()
    headers = await engine.key(org)
    contract_id, payer = str(uuid.uuid4()), f"PAYER-{uuid.uuid4().hex[:6]}"
    ids = []
    for i in range(5):
        body = claim_json(f"PCN-WAIT-{i}", payer, line("99213", "180.00"))
        created = (await engine.client.post("/v1/claims", json=body, headers=headers)).json()
        assert created["status"] == "pending"
        ids.append(created["id"])
    ref, chunks = schedule_events(org, f"fs-{contract_id}", [fee_row("99213", "95.00")])
    visits = term("visits", {"kind": "fee_schedule"}, ("CPT", "99201", "99499"))
    negotiated = contract_event(
        org, contract_id, payer, payment_terms=[visits], fee_schedule=ref, status="approved"
    )
    activated = contract_event(
        org,
        contract_id,
        payer,
        payment_terms=[visits],
        fee_schedule=ref,
        event_type="contract.activated",
    )
    await _produce(kafka, [negotiated, *chunks])
    await _wait_held(engine, contract_id)  # topics are consumed independently: activate after
    await _produce(kafka, [activated])
    priced = [await _wait_priced(engine, claim_id, headers) for claim_id in ids]
    assert {(D(c["expected_allowed"]), c["pricing_completeness"]) for c in priced} == {
        (D("95.00"), "fully_priced")
    }


async def _dead_letters(engine: Engine, event_id: str) -> list[Any]:
    from sqlalchemy import select

    table = engine.runtime.metadata.tables["dead_letters"]
    async with engine.runtime.sessions() as session:
        return list((await session.execute(select(table).where(table.c.event_id == event_id))).all())


async def test_a_claim_submitted_off_its_payload_model_is_dead_lettered_naming_the_field(
    kafka_engine: tuple[Engine, KafkaConfig],
) -> None:
    """The Kafka edge validates claim.submitted with ClaimData: a claim without payer_id is a content
    failure, dead-lettered with the field named (it used to be logged and skipped), nothing stored."""
    engine, kafka = kafka_engine
    org = new_org()
    headers = await engine.key(org)
    data = {
        "claim_id": str(uuid.uuid4()),
        "organization_id": org,
        "patient_control_number": "PCN-NO-PAYER",
        "service_date": "2026-03-14",
        "total_charge": "150.00",
        "lines": [{"code_system": "CPT", "code": "99213", "charge": "150.00", "service_date": "2026-03-14"}],
    }
    bad = CloudEvent(source="billing-system", type="claim.submitted", subject=data["claim_id"], data=data)
    await _produce(kafka, [bad])
    async with asyncio.timeout(120):
        while not (rows := await _dead_letters(engine, bad.id)):
            await asyncio.sleep(0.5)
    (row,) = rows
    assert row.topic == "claim.submitted"
    assert "payer_id" in row.error
    claims = (await engine.client.get("/v1/claims", headers=headers)).json()
    assert claims["items"] == []
