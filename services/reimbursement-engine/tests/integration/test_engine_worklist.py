"""The worklist: small underpayments summed into one recoverable amount; state transitions."""

from __future__ import annotations

import uuid
from decimal import Decimal

from engine_helpers import Engine, claim_json, clp, contract_event, line, medicare_term, new_org, remit_835

D = Decimal


async def _underpaid(engine: Engine, org: str, headers: dict[str, str], count: int) -> None:
    contract_id = str(uuid.uuid4())
    await engine.deliver(contract_event(org, contract_id, "60054", payment_terms=[medicare_term("100")]))
    loops = []
    for i in range(count):
        pcn = f"PCN-WL-{i}"
        body = claim_json(pcn, "60054", line("99213", "200.00", place_of_service="11"))
        assert (await engine.client.post("/v1/claims", json=body, headers=headers)).status_code == 201
        loops.append(
            clp(
                pcn,
                "200.00",
                "85.00",
                pccn=f"P{i}",
                svc=[("99213", "200.00", "85.00", [("CO", "45", "115.00")])],
            )
        )
    response = await engine.client.post(
        "/v1/remittances/x12", content=remit_835("TRACE-WL", *loops), headers=headers
    )
    assert response.json()["classifications"] == {"underpaid": count}


async def test_small_underpayments_show_as_one_recoverable_amount(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _underpaid(engine, org, headers, 5)
    worklist = (await engine.client.get("/v1/worklist", headers=headers)).json()
    (entry,) = worklist["items"]
    assert (entry["payer_id"], entry["code"], entry["carc"]) == ("60054", "99213", "CO-45")
    assert (D(entry["amount"]), entry["claim_count"]) == (D("19.75"), 5)  # 5 x (88.95 - 85.00)
    other = await engine.key(new_org())
    assert (await engine.client.get("/v1/worklist", headers=other)).json()["items"] == []


async def test_a_variance_moves_open_appealed_recovered_with_an_audit_trail(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _underpaid(engine, org, headers, 1)
    (variance,) = (
        await engine.client.get("/v1/variances", params={"status": "open"}, headers=headers)
    ).json()["items"]
    url = f"/v1/variances/{variance['id']}/transitions"
    refused = await engine.client.post(url, json={"to": "recovered"}, headers=headers)
    assert refused.status_code == 409
    assert (
        await engine.client.post(url, json={"to": "appealed", "note": "appeal sent"}, headers=headers)
    ).status_code == 200
    done = (await engine.client.post(url, json={"to": "recovered", "amount": "3.95"}, headers=headers)).json()
    assert done["status"] == "recovered"
    assert [(h["from"], h["to"]) for h in done["history"]] == [
        (None, "open"),
        ("open", "appealed"),
        ("appealed", "recovered"),
    ]
    assert (await engine.client.get("/v1/worklist", headers=headers)).json()["items"] == []
    stranger = await engine.key(new_org())
    assert (await engine.client.get(f"/v1/variances/{variance['id']}", headers=stranger)).status_code == 404
    assert (await engine.client.post(url, json={"to": "appealed"}, headers=stranger)).status_code == 404


async def test_the_organisations_tolerance_decides_paid_as_expected(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    saved = await engine.client.put(
        "/v1/settings/variance-tolerance", json={"variance_tolerance": "5.00"}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    await _underpaid_within(engine, org, headers)


async def _underpaid_within(engine: Engine, org: str, headers: dict[str, str]) -> None:
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    body = claim_json("PCN-TOL", "60054", line("99213", "200.00", place_of_service="11"))
    await engine.client.post("/v1/claims", json=body, headers=headers)
    remit = remit_835("TRACE-TOL", clp("PCN-TOL", "200.00", "85.00", cas=[("CO", "45", "115.00")]))
    out = (await engine.client.post("/v1/remittances/x12", content=remit, headers=headers)).json()
    assert out["classifications"] == {"paid_as_expected": 1}


async def test_each_status_worklist_sums_the_lines_of_its_own_variances(engine: Engine) -> None:
    """The lines are read joined to the variances in the status asked for: after one of two claims is
    appealed, each worklist holds one claim's line under its code and CARC, to the cent."""
    org = new_org()
    headers = await engine.key(org)
    await _underpaid(engine, org, headers, 2)
    variances = (await engine.client.get("/v1/variances", headers=headers)).json()["items"]
    url = f"/v1/variances/{variances[0]['id']}/transitions"
    assert (await engine.client.post(url, json={"to": "appealed"}, headers=headers)).status_code == 200
    for status in ("open", "appealed"):
        found = await engine.client.get("/v1/worklist", params={"status": status}, headers=headers)
        (entry,) = found.json()["items"]
        assert (entry["code"], entry["carc"], entry["line_count"]) == ("99213", "CO-45", 1), status
        assert (D(entry["amount"]), entry["claim_count"]) == (D("3.95"), 1), status
        assert (D(found.json()["total_amount"]), found.json()["variance_count"]) == (D("3.95"), 1), status
