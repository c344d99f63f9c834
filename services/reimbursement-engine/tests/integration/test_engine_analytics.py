"""Analytics, what-if and margin over HTTP."""

from __future__ import annotations

import uuid
from decimal import Decimal

from engine_helpers import Engine, claim_json, clp, contract_event, line, medicare_term, new_org, remit_835

D = Decimal


async def _history(engine: Engine, org: str, headers: dict[str, str]) -> str:
    contract_id = str(uuid.uuid4())
    floors = medicare_term("100") | {"floors": [{"code_system": "CPT", "code": "99214", "minimum": "150.00"}]}
    await engine.deliver(
        contract_event(org, contract_id, "60054", payment_terms=[floors], prompt_pay_days=10)
    )
    for pcn in ("PCN-AN-1", "PCN-AN-2", "PCN-AN-3"):
        body = claim_json(
            pcn, "60054", line("99213", "200.00", place_of_service="11"), received_date="2025-03-15"
        )
        await engine.client.post("/v1/claims", json=body, headers=headers)
    remit = remit_835(
        "TRACE-AN",
        clp("PCN-AN-1", "200.00", "88.95", pccn="A1", cas=[("CO", "45", "111.05")]),
        clp("PCN-AN-2", "200.00", "80.00", pccn="A2", cas=[("CO", "45", "120.00")]),
        clp("PCN-AN-3", "200.00", "0", status="4", pccn="A3", cas=[("CO", "50", "200.00")]),
    )
    await engine.client.post("/v1/remittances/x12", content=remit, headers=headers)
    return contract_id


async def test_analytics_per_payer_and_contract(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    contract_id = await _history(engine, org, headers)
    out = (
        await engine.client.get(
            "/v1/analytics", params={"from": "2025-01-01", "to": "2025-12-31"}, headers=headers
        )
    ).json()
    (stats,) = out["items"]
    assert (stats["contract_id"], stats["claims"], stats["reconciled_claims"]) == (contract_id, 3, 3)
    assert (D(stats["expected_allowed"]), D(stats["paid"])) == (D("266.85"), D("168.95"))
    assert (D(stats["underpayment_amount"]), stats["underpayment_rate"], stats["denial_rate"]) == (
        D("8.95"),
        "0.3333",
        "0.3333",
    )
    assert stats["denials_by_carc"] == {"CO-50": 1}
    assert (stats["average_days_to_pay"], stats["prompt_pay_days"], stats["paid_late"]) == (17, 10, 3)


async def test_what_if_reports_impact_without_writing(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _history(engine, org, headers)
    body = {
        "service_from": "2025-01-01",
        "service_to": "2025-12-31",
        "change": {"kind": "rate_change", "percent": "10", "code_from": "99201", "code_to": "99215"},
    }
    out = (await engine.client.post("/v1/what-if", json=body, headers=headers)).json()
    assert out["claims"] == 3
    assert (D(out["total"]["current"]), D(out["total"]["proposed"])) == (D("266.85"), D("293.55"))
    assert out["by_code"][0]["key"] == "99213"
    moved = {**body, "change": {"kind": "percent_of_medicare", "percent": "150", "term": "professional"}}
    out = (await engine.client.post("/v1/what-if", json=moved, headers=headers)).json()
    assert D(out["by_service_line"][0]["proposed"]) == D("400.29")  # 3 x 133.43 (150% of 88.95)
    claims = (await engine.client.get("/v1/claims", headers=headers)).json()["items"]
    assert {D(c["expected_allowed"]) for c in claims} == {D("88.95")}


async def test_margin_flags_codes_below_cost_or_floor(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    contract_id = await _history(engine, org, headers)
    csv = "code_system,code,cost\nCPT,99213,95.00\nCPT,99212,20.00\n"
    assert (await engine.client.post("/v1/costs", content=csv, headers=headers)).json() == {"saved": 2}
    out = (
        await engine.client.get(
            "/v1/margin", params={"contract_id": contract_id, "on": "2025-06-01"}, headers=headers
        )
    ).json()
    flags = {i["code"]: (i["below_cost"], i["below_floor"]) for i in out["items"]}
    assert flags == {"99212": (False, False), "99213": (True, False), "99214": (False, True)}
    bad = await engine.client.post("/v1/costs", content="code,cost\n99213,x\n", headers=headers)
    assert bad.status_code == 422
