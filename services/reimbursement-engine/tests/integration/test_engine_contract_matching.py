"""Contract matching and locality derivation on the engine's own database (PostgreSQL): contract
scope and locations arrive by event, the ZIP file by the loader."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from accord_common.events import CloudEvent, new_event
from engine_helpers import Engine, claim_json, contract_event, line, medicare_term, new_org
from reimbursement_engine.handlers.locations import load_zip_localities

SF_NPI, LA_NPI = "1555555550", "1666666668"
ZIP5 = (
    "STATE,ZIP CODE,CARRIER,LOCALITY,RURAL IND,LAB CB LOCALITY,RURAL IND2,PLUS 4 FLAG,"
    "PART B DRUG INDICATOR,YEAR/QTR\nCA,90012,01182,18,,Z9,,0,A,20261\nCA,94110,01112,05,,Z9,,0,A,20261\n"
)


def scoped_contract(org: str, payer: str, percent: str, **scope: Any) -> tuple[str, CloudEvent]:
    contract_id = str(uuid.uuid4())
    event = contract_event(org, contract_id, payer, payment_terms=[medicare_term(percent)])
    data = {**event.data, "contract_name": f"{percent}% contract", **scope}
    return contract_id, new_event(
        "contract.created", source="contract-registry", subject=contract_id, data=data, organization_id=org
    )


def organisation(org: str) -> CloudEvent:
    locations = [
        {
            "name": "San Francisco campus",
            "medicare_locality": {"mac": "01112", "locality": "05"},
            "npis": [SF_NPI],
            "zip_code": "94110",
            "cbsa": "41884",
        },
        {
            "name": "Los Angeles clinic",
            "medicare_locality": {"mac": "01182", "locality": "18"},
            "npis": [LA_NPI],
        },
    ]
    data = {"organization_id": org, "name": "St Mary", "locations": locations}
    return new_event(
        "organisation.updated", source="contract-registry", subject=org, data=data, organization_id=org
    )


async def test_locations_by_event_price_at_the_rendering_locality(engine: Engine, tmp_path: Path) -> None:
    org = new_org()
    headers = await engine.key(org)
    zips = tmp_path / "zip5.csv"
    zips.write_text(ZIP5)
    assert await load_zip_localities(engine.runtime.uow(), zips) == 2
    await engine.deliver(organisation(org))
    held = (await engine.client.get("/v1/locations", headers=headers)).json()["items"]
    assert [(h["name"], h["medicare_locality"], h["npis"]) for h in held] == [
        ("San Francisco campus", "01112-05", [SF_NPI]),
        ("Los Angeles clinic", "01182-18", [LA_NPI]),
    ]
    await engine.deliver(scoped_contract(org, "60054", "100")[1])

    def visit(pcn: str, **extra: Any) -> dict[str, Any]:
        return claim_json(pcn, "60054", line("99213", "200.00"), place_of_service="11", **extra)

    cases = [
        # San Francisco: (1.30 x 1.088 + 1.35 x 1.419 + 0.10 x 0.445) x 32.3465 = $109.15
        (visit("BY-FACILITY-NPI", service_facility={"npi": SF_NPI}), "109.15", "by the service facility NPI"),
        # Los Angeles: (1.30 x 1.042 + 1.35 x 1.194 + 0.10 x 0.690) x 32.3465 = $98.19
        (visit("BY-BILLING-NPI", billing_provider={"npi": LA_NPI}), "98.19", "by the billing provider NPI"),
        (visit("BY-ZIP", service_facility={"zip_code": "90012"}), "98.19", "service facility ZIP 90012"),
        (visit("STATED", medicare_locality="01182-18", service_facility={"npi": SF_NPI}), "98.19", "stated"),
        (visit("NOWHERE", billing_provider={"zip_code": "10001"}), "88.95", "national GPCIs: no location"),
    ]
    for body, expected, how in cases:
        claim = (await engine.client.post("/v1/claims", json=body, headers=headers)).json()
        assert (claim["status"], claim["expected_allowed"]) == ("priced", expected), claim
        assert how in claim["explanation"]


async def test_an_ambiguous_claim_waits_for_review_and_a_better_contract_settles_it(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    ppo, ppo_event = scoped_contract(org, "60054", "150", line_of_business="commercial")
    await engine.deliver(ppo_event)
    await engine.deliver(scoped_contract(org, "60054", "100", line_of_business="medicare_advantage")[1])
    body = claim_json(
        "PCN-WHICH",
        "60054",
        line("99213", "200.00"),
        place_of_service="11",
        billing_provider={"tin": "12-3456789"},
    )
    held = (await engine.client.post("/v1/claims", json=body, headers=headers)).json()
    assert (held["status"], held["expected_allowed"], held["contract_id"]) == ("needs_review", None, None)
    assert "'150% contract'" in held["status_reason"] and "'100% contract'" in held["status_reason"]

    # the group's own professional agreement (its TIN) arrives: it fits best, the claim is priced
    group, group_event = scoped_contract(
        org, "60054", "120", claim_types=["professional"], provider_tins=["12-3456789"]
    )
    await engine.deliver(group_event)
    claim = (await engine.client.get(f"/v1/claims/{held['id']}", headers=headers)).json()
    # national 99213 non-facility $88.95 x 120% = $106.74
    assert (claim["status"], claim["contract_id"], claim["expected_allowed"]) == ("priced", group, "106.74")
    assert "matches claim type professional, billing TIN 12-3456789" in claim["explanation"]
    assert ppo != group


async def test_a_professional_claim_without_a_place_of_service_is_held(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    await engine.deliver(scoped_contract(org, "60054", "100")[1])
    body = {"patient_control_number": "PCN-NOPOS", "payer_id": "60054", "lines": [line("99213", "200.00")]}
    held = (await engine.client.post("/v1/claims", json=body, headers=headers)).json()
    assert (held["status"], held["expected_allowed"]) == ("needs_review", None)
    assert held["status_reason"].startswith("no place of service on line(s) 1 of a professional claim")
    # an institutional claim (type of bill) is a facility claim: priced at the facility rate
    outpatient = {**body, "patient_control_number": "PCN-TOB", "type_of_bill": "0131"}
    priced = (await engine.client.post("/v1/claims", json=outpatient, headers=headers)).json()
    assert (priced["status"], priced["expected_allowed"]) == ("priced", "63.72")
