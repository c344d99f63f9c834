"""Hostile and careless input to the engine on PostgreSQL (issue 13): every one was a 500, a silent
coercion or work done before authentication; each is now a 4xx naming what is wrong, nothing stored."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from engine_helpers import Engine, claim_json, contract_event, line, medicare_term, new_org
from reimbursement_engine.bench.x12_837 import generate_837

COSTS = {"Content-Type": "text/csv"}


async def _costed(engine: Engine, org: str, headers: dict[str, str]) -> list[dict[str, str]]:
    """The codes GET /v1/margin shows a cost for, under a fresh contract of the organisation."""
    contract_id = str(uuid.uuid4())
    await engine.deliver(contract_event(org, contract_id, "60054", payment_terms=[medicare_term("100")]))
    response = await engine.client.get(
        "/v1/margin", params={"contract_id": contract_id, "on": "2025-06-01"}, headers=headers
    )
    assert response.status_code == 200, response.text
    return [{"code": i["code"], "cost": i.get("cost")} for i in response.json()["items"]]


@pytest.mark.parametrize(
    ("csv", "field"),
    [
        ("code_system,code,cost\nCPT,99213,NaN\n", "line 2.cost"),
        ("code_system,code,cost\nCPT,99213,sNaN\n", "line 2.cost"),
        ("code_system,code,cost\nCPT,99213\n", "line 2.cost"),  # no cost cell
        ("code_system,code,cost\nCPT,99213,1e30\n", "line 2.cost"),
        ("code_system,code,cost\nCPT,99213,1e999999\n", "line 2.cost"),
        ("code_system,code,cost\nCPT,99213,10000000.00\n", "line 2.cost"),  # over MAX_RATE
        ("code_system,code,cost\nCPT,99213,１５０\n", "line 2.cost"),  # full-width digits
        ("code_system,code,cost\nCPT,9921399213992139921399213,15\n", "line 2.code"),
    ],
)
async def test_a_cost_that_is_not_an_amount_is_a_422_and_margin_still_answers(
    engine: Engine, csv: str, field: str
) -> None:
    org = new_org()
    headers = await engine.key(org)
    response = await engine.client.post("/v1/costs", content=csv, headers=headers | COSTS)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert await _costed(engine, org, headers) == []  # nothing saved; margin answers 200


async def test_a_code_listed_twice_keeps_its_last_cost(engine: Engine) -> None:
    headers = await engine.key(new_org())
    csv = "code_system,code,cost\nCPT,99213,10.00\nCPT,99213,12.50\n"
    response = await engine.client.post("/v1/costs", content=csv, headers=headers | COSTS)
    assert response.json() == {"saved": 1}, response.text


@pytest.mark.parametrize("charge", ["１５０", "150e0", "NaN", True, "1e30", 1e30, "1000000000.00"])
async def test_a_claim_charge_must_be_a_plain_bounded_amount(engine: Engine, charge: object) -> None:
    headers = await engine.key(new_org())
    body = claim_json("PCN-HOSTILE-1", "60054", line("99213", "100.00"))
    body["lines"][0]["charge"] = charge
    response = await engine.client.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "lines.0.charge"
    assert (await engine.client.get("/v1/claims", headers=headers)).json()["items"] == []


async def test_an_837_with_an_emoji_patient_control_number_is_refused(engine: Engine) -> None:
    headers = await engine.key(new_org())
    upload = generate_837(1).replace("CLM*PCN00000001*", "CLM*PCN\N{PILE OF POO}1*")
    response = await engine.client.post("/v1/claims/x12", content=upload.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert "CLM01 is printable ASCII" in response.text
    assert (await engine.client.get("/v1/claims", headers=headers)).json()["items"] == []


@pytest.mark.parametrize("charge", ["1E30", "１５６.１９", "1000000000.00", "1.1234567"])
async def test_an_837_amount_off_the_bound_is_refused(engine: Engine, charge: str) -> None:
    headers = await engine.key(new_org())
    upload = generate_837(1).replace("CLM*PCN00000001*1156.19", f"CLM*PCN00000001*{charge}")
    assert upload != generate_837(1)
    response = await engine.client.post("/v1/claims/x12", content=upload.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert "CLM02 is a decimal number" in response.text


async def test_an_unauthenticated_malformed_body_is_a_401_not_a_422(engine: Engine) -> None:
    for content in (b"{not json", b"[" + b"1," * 100_000 + b"1]"):
        response = await engine.client.post(
            "/v1/claims", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"


async def test_a_key_without_the_scope_is_a_403_before_the_body_is_read(engine: Engine) -> None:
    headers = await engine.key(new_org(), {"claims:read"})
    for path in ("/v1/claims", "/v1/costs", "/v1/claims/x12"):
        response = await engine.client.post(path, content=b"{not json", headers=headers)
        assert response.status_code == 403, (path, response.text)
        assert "claims:write" in response.json()["detail"]


@pytest.mark.parametrize("pcn", ["PCN\N{PILE OF POO}", "PCN\n1", "ＰＣＮ１"])
async def test_a_json_claim_patient_control_number_is_printable_ascii(engine: Engine, pcn: str) -> None:
    headers = await engine.key(new_org())
    body = claim_json(pcn, "60054", line("99213", "100.00"))
    for path, payload in (("/v1/claims", body), ("/v1/claims/batch", {"claims": [body]})):
        response = await engine.client.post(path, json=payload, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert "patient_control_number" in response.json()["errors"][0]["field"]
    assert (await engine.client.get("/v1/claims", headers=headers)).json()["items"] == []


NUL = "text may not contain the NUL character (U+0000)"


def _nul_refused(response: object, field: str) -> None:
    assert isinstance(response, httpx.Response)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": field, "message": NUL}]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/exports/variances.csv", {"payer_id": "600\x0054"}, "payer_id"),  # the connection dropped
        ("/v1/exports/claims.xlsx", {"status": "\x00"}, "status"),
        ("/v1/claims", {"patient_control_number": "PCN\x001"}, "patient_control_number"),
        ("/v1/claims/PCN%001", {}, "claim_id"),
    ],
)
async def test_nul_in_a_parameter_is_a_422_naming_it_before_any_work(
    engine: Engine, path: str, params: dict[str, str], field: str
) -> None:
    """PostgreSQL cannot store or compare U+0000: found by fuzzing an export as a dropped connection."""
    headers = await engine.key(new_org())
    response = await engine.client.get(path, params=params, headers=headers)
    _nul_refused(response, field)
    anonymous = await engine.client.get(path, params=params)
    assert anonymous.status_code == 401, anonymous.text  # authentication first, then the input


async def test_nul_in_a_csv_or_x12_body_is_a_422_and_nothing_is_stored(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    csv = "code_system,code,cost\nCPT,99213,10.00\nCPT,992\x0014,12.50\n"
    _nul_refused(await engine.client.post("/v1/costs", content=csv, headers=headers | COSTS), "body")
    assert await _costed(engine, org, headers) == []
    upload = generate_837(2).replace("CLM*PCN00000002*", "CLM*PCN\x00000002*")
    for kind in ("text/plain", "application/edi-x12"):
        response = await engine.client.post(
            "/v1/claims/x12", content=upload.encode(), headers=headers | {"Content-Type": kind}
        )
        _nul_refused(response, "body")
    assert (await engine.client.get("/v1/claims", headers=headers)).json()["items"] == []


async def test_nul_in_a_json_field_or_a_form_field_is_a_422_naming_it(engine: Engine) -> None:
    headers = await engine.key(new_org())
    body = {"variance_ids": ["a"], "from_name": "Riverside\x00Clinic"}
    _nul_refused(await engine.client.post("/v1/appeals", json=body, headers=headers), "from_name")
    claim = claim_json("PCN-NUL-1", "60054", line("99213", "100.00"))
    claim["lines"][0]["modifiers"] = ["2\x005"]
    _nul_refused(await engine.client.post("/v1/claims", json=claim, headers=headers), "lines.0.modifiers.0")
    proposal = ("proposal.csv", b"code_system,code,amount\nCPT,99213,90.00\n", "text/csv")
    response = await engine.client.post(
        "/v1/what-if/fee-schedule", files={"file": proposal}, data={"contract_id": "c\x001"}, headers=headers
    )
    _nul_refused(response, "contract_id")


@pytest.mark.parametrize(
    "content",
    [
        b"code_system,code,amount\r\nCPT,99\r213,90.00\r\n",  # a bare CR ends a row: was a 500
        b"\xfem\xf1\x17#\x00\xc2\x9c\r\x07\x8a7",  # found by fuzzing: binary, a NUL and a bare CR
        b"code_system,code,amount\nCPT,99213," + b"9" * 200_000 + b"\n",  # over the csv module's field limit
    ],
)
async def test_a_proposed_schedule_or_cost_file_the_csv_module_cannot_read_is_a_422(
    engine: Engine, content: bytes
) -> None:
    org = new_org()
    headers = await engine.key(org)
    response = await engine.client.post(
        "/v1/what-if/fee-schedule",
        files={"file": ("proposal.csv", content, "application/octet-stream")},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    costs = content.replace(b"amount", b"cost").replace(b"\x00", b"")
    response = await engine.client.post("/v1/costs", content=costs, headers=headers | COSTS)
    assert response.status_code == 422, response.text
    assert await _costed(engine, org, headers) == []


async def test_an_appeal_mailed_to_an_address_holding_nul_is_a_422_the_document_foretells(
    engine: Engine,
) -> None:
    """The address pattern of POST /v1/appeals/{id}/send excludes NUL too (fuzzing sent one the
    document allowed and the server refused)."""
    document = engine.app.openapi()
    send = document["components"]["schemas"]["SendIn"]["properties"]["to"]["items"]["pattern"]
    assert re.fullmatch(send, "billing@payer.example")
    assert not re.fullmatch(send, "bil\x00ling@payer.example")
