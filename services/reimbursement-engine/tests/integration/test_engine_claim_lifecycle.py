"""Late claims (payment first), replacements (frequency 7) and voids (frequency 8).

Figures: 100% of Medicare CY2025 national 99213 non-facility (POS 11) = $88.95; the claim bills
$200.00. A payment of $60.00 (CO-45 $140.00) leaves 88.95 - 60.00 = $28.95 underpaid.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from accord_common.testing.outbox import outbox_events
from engine_helpers import Engine, claim_json, clp, contract_event, line, medicare_term, new_org, remit_835

D = Decimal
UNDERPAID_BY_60 = clp("PCN-L", "200.00", "60.00", cas=[("CO", "45", "140.00")])


async def _events(engine: Engine, topic: str, claim_id: str) -> list[dict[str, Any]]:
    table = engine.runtime.metadata.tables["outbox"]
    async with engine.runtime.sessions() as session:
        events = [json.loads(e.payload) for e in await outbox_events(session, table, topic=topic)]
    return [e["data"] for e in events if e.get("subject") == claim_id]


async def _setup(engine: Engine) -> tuple[str, dict[str, str]]:
    org = new_org()
    headers = await engine.key(org)
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    return org, headers


async def _claim(engine: Engine, headers: dict[str, str], pcn: str, charge: str = "200.00", **kw: Any) -> Any:
    body = claim_json(pcn, "60054", line("99213", charge, place_of_service="11"), **kw)
    return await engine.client.post("/v1/claims", json=body, headers=headers)


async def test_a_payment_before_its_claim_is_reconciled_when_the_claim_arrives(engine: Engine) -> None:
    _, headers = await _setup(engine)
    early = remit_835("TRACE-LATE-1", UNDERPAID_BY_60)
    out = (await engine.client.post("/v1/remittances/x12", content=early, headers=headers)).json()
    assert (out["claims"], out["matched"]) == (1, 0)
    response = await _claim(engine, headers, "PCN-L")
    assert response.status_code == 201, response.text
    claim = response.json()
    assert D(claim["expected_allowed"]) == D("88.95")
    assert [D(p["paid"]) for p in claim["payments"]] == [D("60.00")]
    (variance,) = (await engine.client.get("/v1/variances", headers=headers)).json()["items"]
    assert (variance["classification"], D(variance["variance"])) == ("underpaid", D("28.95"))
    (event,) = await _events(engine, "claim.variance_detected", claim["id"])
    assert D(event["variance"]) == D("28.95")


async def test_a_replacement_supersedes_the_claim_and_takes_its_payment(engine: Engine) -> None:
    _, headers = await _setup(engine)
    first = (await _claim(engine, headers, "PCN-L")).json()
    await engine.client.post(
        "/v1/remittances/x12", content=remit_835("TRACE-R-1", UNDERPAID_BY_60), headers=headers
    )
    # the replacement bills 2 units: expected 2 x 88.95 = 177.90; paid 60.00 -> 117.90 under
    body = claim_json("PCN-L", "60054", line("99213", "400.00", place_of_service="11", units=2))
    response = await engine.client.post("/v1/claims", json={**body, "frequency_code": "7"}, headers=headers)
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["id"] != first["id"] and D(second["expected_allowed"]) == D("177.90")
    assert [D(p["paid"]) for p in second["payments"]] == [D("60.00")]
    old = (await engine.client.get(f"/v1/claims/{first['id']}", headers=headers)).json()
    assert old["status"] == "replaced" and second["id"] in old["status_reason"]
    items = (await engine.client.get("/v1/variances", headers=headers)).json()["items"]
    by_claim = {i["claim_id"]: i for i in items}
    assert by_claim[first["id"]]["status"] == "void"
    assert D(by_claim[second["id"]]["variance"]) == D("117.90")


async def test_a_void_cancels_the_claim_and_an_original_twice_is_still_a_conflict(engine: Engine) -> None:
    _, headers = await _setup(engine)
    first = (await _claim(engine, headers, "PCN-V")).json()
    assert (await _claim(engine, headers, "PCN-V")).status_code == 409
    voided = await _claim(engine, headers, "PCN-V", frequency_code="8")
    assert voided.status_code == 201, voided.text
    assert (voided.json()["id"], voided.json()["status"]) == (first["id"], "voided")
    again = await _claim(engine, headers, "PCN-V", frequency_code="8")
    assert again.status_code == 422 and "no claim 'PCN-V' to void" in again.text
    assert (await _claim(engine, headers, "PCN-V")).status_code == 201  # a new original may follow


async def test_a_type_of_bill_ending_in_7_replaces(engine: Engine) -> None:
    _, headers = await _setup(engine)
    first = (await _claim(engine, headers, "PCN-T", type_of_bill="0131")).json()
    second = (await _claim(engine, headers, "PCN-T", "300.00", type_of_bill="0137")).json()
    assert second["id"] != first["id"]
    old = (await engine.client.get(f"/v1/claims/{first['id']}", headers=headers)).json()
    assert old["status"] == "replaced"
