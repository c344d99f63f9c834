"""A variance moved along its workflow is published (claim.variance_status_changed) in the same
unit of work as the move, so the obligation tracker can close the claim's appeal deadline.

Figures: 100% of Medicare CY2025 national 99213 non-facility (POS 11) = $88.95; paid $60.00
(CO-45 $140.00) leaves $28.95 underpaid.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from accord_common.testing.outbox import outbox_events
from engine_helpers import Engine, claim_json, clp, contract_event, line, medicare_term, new_org, remit_835

TOPIC = "claim.variance_status_changed"


async def _published(engine: Engine, variance_id: str) -> list[dict[str, Any]]:
    table = engine.runtime.metadata.tables["outbox"]
    async with engine.runtime.sessions() as session:
        events = [json.loads(e.payload) for e in await outbox_events(session, table, topic=TOPIC)]
    return [e for e in events if e["data"]["variance_id"] == variance_id]


async def test_each_status_change_of_a_variance_is_published_with_the_claims_names(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    contract_id = str(uuid.uuid4())
    await engine.deliver(contract_event(org, contract_id, "60054", payment_terms=[medicare_term("100")]))
    body = claim_json("PCN-VS-1", "60054", line("99213", "200.00", place_of_service="11"))
    claim = (await engine.client.post("/v1/claims", json=body, headers=headers)).json()
    paid = clp("PCN-VS-1", "200.00", "60.00", cas=[("CO", "45", "140.00")])
    await engine.client.post("/v1/remittances/x12", content=remit_835("TRACE-VS", paid), headers=headers)
    (variance,) = (
        await engine.client.get("/v1/variances", params={"status": "open"}, headers=headers)
    ).json()["items"]
    assert variance["variance"] == "28.95"
    url = f"/v1/variances/{variance['id']}/transitions"

    refused = await engine.client.post(url, json={"to": "recovered"}, headers=headers)
    assert refused.status_code == 409
    assert await _published(engine, variance["id"]) == []  # nothing half-written

    moved = await engine.client.post(url, json={"to": "appealed", "note": "appeal sent"}, headers=headers)
    assert moved.status_code == 200, moved.text
    await engine.client.post(url, json={"to": "recovered", "amount": "28.95"}, headers=headers)

    events = await _published(engine, variance["id"])
    assert [(e["data"]["from_status"], e["data"]["status"]) for e in events] == [
        ("open", "appealed"),
        ("appealed", "recovered"),
    ]
    appealed, recovered = (e["data"] for e in events)
    assert events[0]["subject"] == claim["id"]  # keyed by the claim, like the claim's other events
    assert appealed["claim_id"] == claim["id"]
    assert appealed["patient_control_number"] == "PCN-VS-1"
    assert appealed["contract_id"] == contract_id
    assert appealed["classification"] == "underpaid"
    assert appealed["note"] == "appeal sent"
    assert recovered["amount"] == "28.95"
