"""Remittances read back (issue 10 item 13): payments, claim and line payments with their CAS,
PLB adjustments; paginated, and only the organisation's own."""

from __future__ import annotations

import uuid
from decimal import Decimal

from engine_helpers import Engine, claim_json, clp, contract_event, line, medicare_term, new_org, remit_835

D = Decimal


async def _remit(engine: Engine, headers: dict[str, str], org: str) -> None:
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
    )
    for pcn in ("PCN-R1", "PCN-R2"):
        body = claim_json(pcn, "60054", line("99213", "200.00", place_of_service="11"))
        assert (await engine.client.post("/v1/claims", json=body, headers=headers)).status_code == 201
    loops = [
        clp(
            "PCN-R1",
            "200.00",
            "85.00",
            pccn="P1",
            svc=[("99213", "200.00", "85.00", [("CO", "45", "115.00")])],
        ),
        clp("PCN-R2", "200.00", "0", status="4", pccn="P2", cas=[("CO", "50", "200.00")]),
    ]
    plb = "PLB*1234567893*20251231*L6:INT*-2.50"
    uploaded = await engine.client.post(
        "/v1/remittances/x12", content=remit_835("TRACE-READ", *loops, plb=plb), headers=headers
    )
    assert uploaded.status_code == 200, uploaded.text


async def test_a_remittance_reads_back_with_claim_and_line_payments_cas_and_plb(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _remit(engine, headers, org)
    listed = (await engine.client.get("/v1/remittances", headers=headers)).json()
    (remittance,) = listed["items"]
    assert (remittance["trace_number"], remittance["payer_id"], remittance["claim_count"]) == (
        "TRACE-READ",
        "60054",
        2,
    )
    assert (D(remittance["total_paid"]), remittance["payment_date"]) == (D("87.50"), "2025-04-01")
    detail = (await engine.client.get(f"/v1/remittances/{remittance['id']}", headers=headers)).json()
    (plb,) = detail["provider_adjustments"]
    assert (plb["reason_code"], plb["reference"], D(plb["amount"]), plb["fiscal_period_date"]) == (
        "L6",
        "INT",
        D("-2.50"),
        "2025-12-31",
    )
    base = f"/v1/remittances/{remittance['id']}"
    first = (await engine.client.get(f"{base}/claim-payments", params={"limit": 1}, headers=headers)).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = (
        await engine.client.get(
            f"{base}/claim-payments", params={"limit": 1, "cursor": first["next_cursor"]}, headers=headers
        )
    ).json()
    payments = {p["patient_control_number"]: p for p in first["items"] + second["items"]}
    paid, denied = payments["PCN-R1"], payments["PCN-R2"]
    (svc,) = paid["lines"]
    assert (svc["code"], D(svc["charge"]), D(svc["paid"])) == ("99213", D("200.00"), D("85.00"))
    assert [(a["group"], a["carc"], D(a["amount"])) for a in svc["adjustments"]] == [
        ("CO", "45", D("115.00"))
    ]
    assert paid["claim_id"] is not None and D(paid["paid"]) == D("85.00")
    assert (denied["status_code"], denied["lines"]) == ("4", [])
    assert [(a["group"], a["carc"], D(a["amount"])) for a in denied["adjustments"]] == [
        ("CO", "50", D("200.00"))
    ]
    one = (await engine.client.get(f"{base}/claim-payments/{paid['id']}", headers=headers)).json()
    assert one == paid
    plbs = (await engine.client.get(f"{base}/provider-adjustments", headers=headers)).json()["items"]
    assert plbs == detail["provider_adjustments"]


async def test_another_organisation_cannot_read_a_remittance(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _remit(engine, headers, org)
    (remittance,) = (await engine.client.get("/v1/remittances", headers=headers)).json()["items"]
    stranger = await engine.key(new_org())
    assert (await engine.client.get("/v1/remittances", headers=stranger)).json()["items"] == []
    base = f"/v1/remittances/{remittance['id']}"
    for path in (base, f"{base}/claim-payments", f"{base}/provider-adjustments"):
        response = await engine.client.get(path, headers=stranger)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await engine.client.get(base)).status_code == 401
    filtered = await engine.client.get("/v1/remittances", params={"trace_number": "OTHER"}, headers=headers)
    assert filtered.json()["items"] == []
