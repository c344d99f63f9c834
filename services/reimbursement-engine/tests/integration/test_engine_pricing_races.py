"""A contract arriving while a batch of its claims is being priced (PostgreSQL, no broker).

The batch reads no version in force and holds its claims as pending; the arriving version looks for
pending claims to price. Had the arrival looked before the batch wrote its claims, they would wait
for good (the race the 835 bench met). The arrival waits for the batch instead (adapters/locks)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from engine_helpers import Engine, claim_json, contract_event, fee_row, line, new_org, schedule_events, term
from reimbursement_engine.handlers import claims as claims_handlers


@pytest.mark.parametrize("arrives", ["contract.activated", "fee_schedule.published"])
async def test_a_contract_arriving_mid_batch_prices_the_batch(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, arrives: str
) -> None:
    org, contract_id = new_org(), str(uuid.uuid4())
    headers = await engine.key(org)
    ref, chunks = schedule_events(org, f"fs-{uuid.uuid4().hex[:6]}", [fee_row("99213", "100.00")])
    pays = [term("professional", {"kind": "fee_schedule"}, ("CPT", None, None))]
    status = "approved" if arrives == "contract.activated" else "active"
    await engine.deliver(
        contract_event(org, contract_id, "60054", payment_terms=pays, fee_schedule=ref, status=status)
    )
    if arrives == "contract.activated":
        for chunk in chunks:
            await engine.deliver(chunk)
        later = [
            contract_event(
                org, contract_id, "60054", payment_terms=pays, fee_schedule=ref, event_type=arrives
            )
        ]
    else:
        later = chunks
    read, go_on = asyncio.Event(), asyncio.Event()
    price = claims_handlers._priced

    async def priced_then_pause(*args: Any) -> Any:
        stored = await price(*args)  # read: not in force yet, so the claim is pending
        read.set()
        await go_on.wait()
        return stored

    monkeypatch.setattr(claims_handlers, "_priced", priced_then_pause)
    body = {"claims": [claim_json("PCN-RACE-1", "60054", line("99213", "150.00"), place_of_service="11")]}
    batch = asyncio.create_task(engine.client.post("/v1/claims/batch", json=body, headers=headers))
    await asyncio.wait_for(read.wait(), 30)

    async def arrive() -> None:
        for event in later:
            await engine.deliver(event)

    arrival = asyncio.create_task(arrive())
    await asyncio.sleep(0.5)
    assert not arrival.done(), "the contract was applied while the batch was still pricing"
    go_on.set()
    response, _ = await asyncio.wait_for(asyncio.gather(batch, arrival), 60)
    assert response.status_code < 300, response.text
    found = await engine.client.get(
        "/v1/claims", params={"patient_control_number": "PCN-RACE-1"}, headers=headers
    )
    (claim,) = found.json()["items"]
    assert (claim["status"], claim["expected_allowed"]) == ("priced", "100.00")
