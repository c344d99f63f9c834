"""Claims in over HTTP, priced with the contract version in force (PostgreSQL, no broker)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from engine_helpers import (
    X12,
    Engine,
    claim_json,
    contract_event,
    fee_row,
    line,
    medicare_term,
    new_org,
    schedule_events,
    term,
)

D = Decimal


async def _priced_contract(engine: Engine, org: str, payer: str, percent: str = "100") -> str:
    contract_id = str(uuid.uuid4())
    await engine.deliver(contract_event(org, contract_id, payer, payment_terms=[medicare_term(percent)]))
    return contract_id


async def test_percent_of_medicare_reproduces_cms_cy2025_national_amounts(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _priced_contract(engine, org, "60054")
    body = claim_json(
        "PCN-MCR-1",
        "60054",
        line("99213", "200.00", place_of_service="11"),
        line("99213", "200.00", place_of_service="22"),
    )
    response = await engine.client.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 201, response.text
    claim = response.json()
    assert claim["status"] == "priced"
    assert [D(x["expected_allowed"]) for x in claim["lines"]] == [D("88.95"), D("63.72")]
    assert D(claim["expected_allowed"]) == D("152.67")
    assert any("national GPCIs used" in flag for flag in claim["flags"])
    assert "Medicare CY2025 RVU25D national 99213 non-facility" in claim["explanation"]


async def test_percent_of_medicare_prices_by_the_claims_locality(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _priced_contract(engine, org, "60054", "120")
    body = claim_json(
        "PCN-LOC-1", "60054", line("99213", "300.00"), place_of_service="11", medicare_locality="01112-54"
    )
    claim = (await engine.client.post("/v1/claims", json=body, headers=headers)).json()
    assert "locality 01112-54" in claim["explanation"]
    assert not claim["flags"]


async def test_opps_caps_and_anesthesia_factors_load_with_the_year(engine: Engine) -> None:
    """load-medicare stored the CY2025 OPPS caps and anesthesia factors; pricing reads them back:
    70496 in Bakersfield pays the $275.94 cap (fee schedule $291.85) and 00100 pays $20.45 an
    anesthesia unit; at 120%: $331.13 and 9 units x $20.45 x 120% = $220.86."""
    org = new_org()
    headers = await engine.key(org)
    await _priced_contract(engine, org, "60054", "120")
    body = claim_json(
        "PCN-CAP-1",
        "60054",
        line("70496", "900.00"),
        line("00100", "1200.00", units="9"),
        place_of_service="11",
        medicare_locality="01112-54",
    )
    response = await engine.client.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 201, response.text
    claim = response.json()
    assert [D(x["expected_allowed"]) for x in claim["lines"]] == [D("331.13"), D("220.86")]
    assert "OPPS cap, below the fee schedule's $291.85" in claim["explanation"]
    assert "anesthesia conversion factor locality 01112-54 00100 per anesthesia unit" in claim["explanation"]


async def test_bad_claims_are_refused_naming_the_field(engine: Engine) -> None:
    headers = await engine.key(new_org())
    cases = {
        "lines.0.charge": line("99213", "-5.00"),
        "lines.0.code_system": {**line("99213", "5.00"), "code_system": "ICD10"},
        "lines.0.code": line("9921", "5.00"),
    }
    for field, bad_line in cases.items():
        response = await engine.client.post(
            "/v1/claims", json=claim_json("PCN-BAD", "P", bad_line), headers=headers
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]]


async def test_another_organisations_claim_is_not_found(engine: Engine) -> None:
    org_a, org_b = new_org(), new_org()
    await _priced_contract(engine, org_a, "60054")
    body = claim_json("PCN-ISO", "60054", line("99213", "100.00"))
    created = (await engine.client.post("/v1/claims", json=body, headers=await engine.key(org_a))).json()
    other = await engine.client.get(f"/v1/claims/{created['id']}", headers=await engine.key(org_b))
    assert other.status_code == 404
    unauthenticated = await engine.client.get(f"/v1/claims/{created['id']}")
    assert unauthenticated.status_code == 401
    read_only = await engine.key(org_a, {"claims:read"})
    assert (await engine.client.post("/v1/claims", json=body, headers=read_only)).status_code == 403


async def test_a_claim_waits_for_its_contract_and_fee_schedule(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    body = claim_json("PCN-WAIT", "PAYER-W", line("99214", "250.00"))
    created = (await engine.client.post("/v1/claims", json=body, headers=headers)).json()
    assert created["status"] == "pending"
    assert "no contract with payer PAYER-W" in created["status_reason"]
    ref, chunks = schedule_events(
        org, "fs-1", [fee_row("99213", "80.00"), fee_row("99214", "120.00"), fee_row("99215", "160")]
    )
    fee_term = term("visits", {"kind": "fee_schedule", "schedule_id": "fs-1"}, ("CPT", "99201", "99499"))
    await engine.deliver(
        contract_event(org, str(uuid.uuid4()), "PAYER-W", payment_terms=[fee_term], fee_schedule=ref)
    )
    waiting = (await engine.client.get(f"/v1/claims/{created['id']}", headers=headers)).json()
    assert waiting["status"] == "pending" and "fee schedule" in waiting["status_reason"]
    for chunk in chunks:
        await engine.deliver(chunk)
    priced = (await engine.client.get(f"/v1/claims/{created['id']}", headers=headers)).json()
    assert priced["status"] == "priced"
    assert D(priced["expected_allowed"]) == D("120.00")


async def test_a_retroactive_amendment_reprices_the_claims_it_governs(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    contract_id = await _priced_contract(engine, org, "60054", "100")
    early = claim_json("PCN-R-EARLY", "60054", line("99213", "200", "2025-01-10", place_of_service="11"))
    late = claim_json("PCN-R-LATE", "60054", line("99213", "200", "2025-06-10", place_of_service="11"))
    ids = [
        (await engine.client.post("/v1/claims", json=c, headers=headers)).json()["id"] for c in (early, late)
    ]
    amended = contract_event(
        org,
        contract_id,
        "60054",
        version=2,
        effective_from="2025-05-01",
        payment_terms=[medicare_term("150")],
        event_type="contract.amended",
        retroactive=True,
    )
    await engine.deliver(amended)
    first, second = [(await engine.client.get(f"/v1/claims/{i}", headers=headers)).json() for i in ids]
    assert (first["contract_version"], D(first["expected_allowed"])) == (1, D("88.95"))
    assert (second["contract_version"], D(second["expected_allowed"])) == (2, D("133.43"))
    await engine.deliver(amended)  # the same version again changes nothing
    again = (await engine.client.get(f"/v1/claims/{ids[1]}", headers=headers)).json()
    assert again["priced_at"] == second["priced_at"]


async def test_a_batch_is_priced_in_one_request(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await _priced_contract(engine, org, "60054")
    claims = [
        claim_json(
            f"PCN-B-{i}",
            "60054",
            line("99213", "100", place_of_service="11"),
            line("99214", "150", place_of_service="11"),
        )
        for i in range(50)
    ]
    response = await engine.client.post("/v1/claims/batch", json={"claims": claims}, headers=headers)
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["count"], out["line_count"], out["priced"]) == (50, 100, 50)
    duplicate = await engine.client.post("/v1/claims/batch", json={"claims": claims[:1]}, headers=headers)
    assert duplicate.status_code == 409
    # new claims around two live ones: refused naming the live ones, and none of it is stored
    fresh = [claim_json(f"NEW-{i}", "60054", line("99213", "100", place_of_service="11")) for i in range(3)]
    mixed = [fresh[0], claims[7], fresh[1], claims[9], fresh[2]]
    refused = await engine.client.post("/v1/claims/batch", json={"claims": mixed}, headers=headers)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in problem["errors"]] == [
        "claims[1].patient_control_number",
        "claims[3].patient_control_number",
    ]
    listed = await engine.client.get("/v1/claims", params={"limit": 200}, headers=headers)
    assert not [c for c in listed.json()["items"] if c["patient_control_number"].startswith("NEW-")]
    assert len(listed.json()["items"]) == 50
    # the same numbers twice in one batch are refused before anything is priced
    twice = await engine.client.post(
        "/v1/claims/batch", json={"claims": [fresh[0], fresh[0]]}, headers=headers
    )
    assert twice.status_code == 409
    assert [e["field"] for e in twice.json()["errors"]] == ["claims[1].patient_control_number"]


async def test_every_shared_837_parses_and_prices_or_is_refused_clearly(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    files = sorted((X12 / "837p").iterdir()) + sorted((X12 / "837i").iterdir())
    charges = term(
        "all services",
        {"kind": "percent_of_charges", "percent": "60"},
        ("CPT", None, None),
        ("HCPCS", None, None),
        ("REV", None, None),
    )
    payers = set()
    for path in files:
        response = await engine.client.post("/v1/claims/x12", content=path.read_bytes(), headers=headers)
        assert response.status_code == 200, (path.name, response.text)
        out = response.json()
        assert out["claims"] or out["refused"], path.name
        for refused in out["refused"]:
            assert refused["reasons"], path.name
        payers |= {c["patient_control_number"] for c in out["claims"]}
    # nothing to price with yet: every claim waits for a contract with its payer
    listed = (
        await engine.client.get("/v1/claims", params={"status": "pending", "limit": 500}, headers=headers)
    ).json()
    assert listed["items"] and all("no contract" in c["status_reason"] for c in listed["items"])
    await engine.deliver(
        contract_event(
            org, str(uuid.uuid4()), "999996666", effective_from="2000-01-01", payment_terms=[charges]
        )
    )
    priced = (
        await engine.client.get("/v1/claims", params={"patient_control_number": "26407789"}, headers=headers)
    ).json()
    assert priced["items"][0]["status"] == "priced"
    assert D(priced["items"][0]["expected_allowed"]) == D("47.42")  # 60% of 79.04


async def test_a_malformed_837_is_refused_naming_the_segment(engine: Engine) -> None:
    headers = await engine.key(new_org())
    response = await engine.client.post("/v1/claims/x12", content=b"ISA*00*garbage~", headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert (error["segment"], error["segment_index"]) == ("ISA", 0)  # the envelope is cut short
