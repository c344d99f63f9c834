"""From variance to money recovered (issue 14 items 1, 2, 4, 6, 7), as a revenue-cycle analyst works.

Acme Health Plan's professional agreement (effective 2025-01-01) pays CPT 99213 $100.00 and 99214
$150.00 from its fee schedule with a 3% escalator on each anniversary: for March 2026 services that is
$103.00 and $154.50. The payer's 835 of 2026-04-01 (shaped on the X12 TR3 managed-care example, see
ATTRIBUTION) then pays:

  ESC-1..ESC-8  99213 at $100.00 (last year's rate)           8 x $3.00 = $24.00, ONE escalator project
  REC-1         99214 adjudicated as 99213 (SVC06 99214) and   $154.50 - $103.00 = $51.50, code paid as
                allowed $103.00, the contract's 99213 rate       another
  SMALL-1       99213 at $95.00 (CO-45, nothing explains it)   $8.00, below the $20.00 minimum: set aside

and takes back $25.00 for an earlier overpayment of claim OLD-1 (PLB*WO with PLB03-2 = OLD-1's payer
claim control number). Seen on 2026-06-01 the appeal window (180 days from 2026-04-01) closes
2026-09-28, 119 days left; timely filing (90 days from 2026-03-10) closes 2026-06-08, 7 days left.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from accord_common.events import CATALOGUE
from accord_common.testing._process import run_sync
from aiokafka import AIOKafkaConsumer

from tests.scenarios.conftest import Tenant, eventually

# the first scenario of a run also starts the broker, database and stack; the machine is shared
pytestmark = pytest.mark.timeout(900)
D = Decimal
# The envelope, BPR/TRN and party segments follow x12/835/managed-care.835 in /work/shared/data:
ATTRIBUTION = "X12 TR3 examples as shipped in LinuxForHealth/x12 tests (Apache-2.0)"
SCHEDULE = (
    "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\n"
    "CPT,99213,,,,unit,amount,100.00,,2025-01-01,\n"
    "CPT,99214,,,,unit,amount,150.00,,2025-01-01,\n"
)
ESCALATED = [f"ESC-{n}" for n in range(1, 9)]


def acme_with_escalator(t: Tenant, schedule: str = SCHEDULE, activate: bool = True) -> tuple[str, str]:
    """Payer, fee schedule and a contract with a 3% anniversary escalator; (payer id, contract id)."""
    payers = [p for p in t.get("registry", "/v1/payers")["items"] if p.get("x12_payer_id") == "60054"]
    payer = (
        payers[0]
        if payers
        else t.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    )
    files = {"file": ("acme.csv", schedule, "text/csv")}
    fees = t.post("registry", "/v1/fee-schedules", files=files, data={"name": "Acme professional"})
    term = {
        "name": "Professional",
        "service_category": "professional",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
        "methodology": {"kind": "fee_schedule"},
        "escalators": [{"kind": "anniversary_escalator", "percent": "3"}],
    }
    contract = t.post(
        "registry",
        "/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Acme PPO professional",
            "line_of_business": "commercial",
            "effective_date": "2025-01-01",
            "termination_date": "2027-12-31",
            "notice_days": 90,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "fee_schedule_id": fees["schedule"]["id"],
            "payment_terms": [term],
        },
    )
    if activate:
        for step in ("submit", "activate"):
            t.post("registry", f"/v1/contracts/{contract['id']}/{step}", {})
    return str(payer["id"]), str(contract["id"])


def claim_body(pcn: str, codes: list[str], charge: str = "200.00") -> dict[str, Any]:
    return {
        "patient_control_number": pcn,
        "payer_id": "60054",
        "place_of_service": "11",
        "lines": [
            {"code_system": "CPT", "code": c, "units": 1, "charge": charge, "service_date": "2026-03-10"}
            for c in codes
        ],
    }


def priced(t: Tenant, pcn: str, codes: list[str]) -> dict[str, Any]:
    claim = t.post("engine", "/v1/claims", claim_body(pcn, codes))
    return dict(
        eventually(
            f"{pcn} priced",
            lambda: (c := t.get("engine", f"/v1/claims/{claim['id']}")) and c["status"] == "priced" and c,
        )
    )


def x12_835(claims: list[str], plb: str, bpr: str) -> str:
    body = [
        "ST*835*112233",
        f"BPR*I*{bpr}*C*ACH*CCP*01*888999777*DA*24681012*1935665544**01*111333555*DA*144444*20260401",
        "TRN*1*7170066655-REC*1935665544",
        "DTM*405*20260401",
        "N1*PR*ACME HEALTH PLAN*XV*60054",
        "N1*PE*ACME MEDICAL CENTER*XX*5544667733",
        "LX*1",
        *claims,
        plb,
    ]
    body.append(f"SE*{len(body) + 1}*112233")
    return (
        "~\n".join(
            [
                "ISA*03*9876543210*01*9876543210*30*000000005      *30*12345          "
                "*260401*1147*^*00501*000000907*1*T*:",
                "GS*HP*000000005*54321*20260401*1147*1*X*005010X221A1",
                *body,
                "GE*1*1",
                "IEA*1*000000907",
            ]
        )
        + "~\n"
    )


def paid_claim(pcn: str, paid: str, svc: str, contractual: str) -> list[str]:
    return [
        f"CLP*{pcn}*1*200.00*{paid}*0*12*PAYER-{pcn}",
        f"{svc}*200.00*{paid}**1",
        "DTM*472*20260310",
        f"CAS*CO*45*{contractual}",
        "REF*6R*1",
    ]


def test_last_years_rate_is_one_escalator_project_and_a_recoded_line_is_found(new_tenant: Any) -> None:
    t = new_tenant("recovery")
    _, contract_id = acme_with_escalator(t)
    claims = {pcn: priced(t, pcn, ["99213"]) for pcn in [*ESCALATED, "SMALL-1", "OLD-1"]}
    claims["REC-1"] = priced(t, "REC-1", ["99214"])
    assert {pcn: c["expected_allowed"] for pcn, c in claims.items()} == {
        **{pcn: "103.00" for pcn in [*ESCALATED, "SMALL-1", "OLD-1"]},
        "REC-1": "154.50",
    }

    segments = [line for pcn in ESCALATED for line in paid_claim(pcn, "100.00", "SVC*HC:99213", "100.00")]
    segments += paid_claim("SMALL-1", "95.00", "SVC*HC:99213", "105.00")
    segments += paid_claim("OLD-1", "103.00", "SVC*HC:99213", "97.00")
    # the payer adjudicated 99213 for the 99214 billed: SVC06 carries the code as billed
    segments += [
        "CLP*REC-1*1*200.00*103.00*0*12*PAYER-REC-1",
        "SVC*HC:99213*200.00*103.00**1*HC:99214",
        "DTM*472*20260310",
        "CAS*CO*45*97.00",
        "REF*6R*1",
    ]
    paid = 8 * D("100.00") + D("95.00") + D("103.00") + D("103.00")
    plb = "PLB*5544667733*20261231*WO:PAYER-OLD-1*25.00"
    # sent as a billing system sends a large file: answered once stored, reconciled after
    answered = t.call(
        "POST",
        "engine",
        "/v1/remittances/x12",
        content=x12_835(segments, plb, str(paid - 25)).encode(),
        headers={"Prefer": "respond-async"},
    )
    assert (answered.status_code, answered.json()["matched"]) == (202, 11), answered.text
    location = answered.headers["location"]
    upload = eventually(
        "the 835 reconciled", lambda: (s := t.get("engine", location))["status"] == "reconciled" and s
    )
    assert (upload["claims_reconciled"], upload["classifications"]) == (
        11,
        {"underpaid": 10, "paid_as_expected": 1},
    ), upload

    # root causes, stored on each variance with the evidence
    variances = {v["patient_control_number"]: v for v in t.get("engine", "/v1/variances", limit=100)["items"]}
    escalated = t.get("engine", "/v1/variances", cause="escalator_not_applied", limit=100)["items"]
    assert sorted(v["patient_control_number"] for v in escalated) == ESCALATED
    (cause,) = t.get("engine", f"/v1/variances/{variances['ESC-1']['id']}")["root_causes"]
    assert cause == {
        "cause": "escalator_not_applied",
        "line_number": 1,
        "code": "99213",
        "amount": "3.00",
        "evidence": "allowed $100.00 = the contract's rate before its escalator for 99213 ($100.00); "
        "the contract in force says $103.00",
    }
    recoded = t.get("engine", f"/v1/variances/{variances['REC-1']['id']}")
    assert (recoded["primary_cause"], D(recoded["variance"])) == ("paid_as_other_code", D("51.50"))
    assert recoded["root_causes"][0]["evidence"] == (
        "billed 99214, the payer adjudicated 99213 (835 SVC01 99213, SVC06 99214); "
        "allowed $103.00 = the contract's rate for 99213"
    )
    assert variances["SMALL-1"]["primary_cause"] == "unexplained"

    # triage: $20.00 is the least worth appealing; projects by cause, payer and contract
    rules = {
        "minimum_amount": "20.00",
        "excluded_codes": ["36415"],
        "appeal_window_days": 180,
        "timely_filing_days": 90,
    }
    t.put("engine", "/v1/settings/triage-rules", rules)
    assert t.get("engine", "/v1/settings/triage-rules")["minimum_amount"] == "20.00"
    worklist = t.get("engine", "/v1/worklist/projects", as_of="2026-06-01")
    summary = [(p["cause"], D(p["amount"]), p["variance_count"], p["contract_id"]) for p in worklist["items"]]
    assert summary == [
        ("paid_as_other_code", D("51.50"), 1, contract_id),
        ("escalator_not_applied", D("24.00"), 8, contract_id),  # 8 claims, ONE project
    ]
    escalator = worklist["items"][1]
    assert (escalator["appeal_deadline"], escalator["appeal_days_left"]) == ("2026-09-28", 119)
    assert (escalator["filing_deadline"], escalator["filing_days_left"]) == ("2026-06-08", 7)
    assert D(worklist["total_amount"]) == D("75.50")
    (aside,) = worklist["set_aside"]
    assert (aside["cause"], D(aside["amount"]), aside["set_aside"]) == (
        "unexplained",
        D("8.00"),
        "$8.00 is below the minimum worth appealing ($20.00)",
    )

    # the take-back: tied to OLD-1 by the PLB03-2 reference, on the worklist
    (take_back,) = worklist["take_backs"]
    assert (take_back["patient_control_number"], take_back["reason_code"], D(take_back["amount"])) == (
        "OLD-1",
        "WO",
        D("25.00"),
    )
    assert take_back["claim_id"] == claims["OLD-1"]["id"]
    assert D(worklist["take_back_total"]) == D("25.00")


def org_events(bootstrap: str, org_id: str) -> list[dict[str, Any]]:
    """Every event on the catalogue's topics that names the organisation (read to the end)."""

    async def read() -> list[dict[str, Any]]:
        topics = sorted({s.topic for s in CATALOGUE.values()})
        consumer = AIOKafkaConsumer(
            *topics, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            found: list[dict[str, Any]] = []
            while not consumer.assignment():  # partitions are assigned once metadata arrives
                found += _named(await consumer.getmany(timeout_ms=500), org_id)
            partitions = list(consumer.assignment())
            ends = await consumer.end_offsets(partitions)
            while [p for p in partitions if await consumer.position(p) < ends[p]]:
                found += _named(await consumer.getmany(timeout_ms=1000), org_id)
            return found
        finally:
            await consumer.stop()

    return run_sync(read)


def _named(batch: dict[Any, list[Any]], org_id: str) -> list[dict[str, Any]]:
    return [
        json.loads(r.value) for rs in batch.values() for r in rs if r.value and org_id.encode() in r.value
    ]


def test_a_canary_run_leaves_nothing_behind(new_tenant: Any) -> None:
    t = new_tenant("canary")
    _, in_force = acme_with_escalator(t)
    proposed_fees = SCHEDULE.replace("100.00", "110.00")  # the renewal: 99213 at $110.00
    _, draft = acme_with_escalator(t, proposed_fees, activate=False)
    canaries = [claim_body("CANARY-1", ["99213"]), claim_body("CANARY-2", ["99213", "99214"])]
    assert t.put("engine", "/v1/canary-sets/renewal-2026", {"claims": canaries}) == {
        "name": "renewal-2026",
        "claim_count": 2,
    }
    before = org_events(t.stack.kafka_bootstrap, t.org_id)

    run = eventually(
        "the draft's fee schedule at the engine",
        lambda: (
            (r := t.call("POST", "engine", "/v1/canary-sets/renewal-2026/runs", json={"contract_id": draft}))
            and r.status_code == 200
            and r.json()
        ),
    )
    by_pcn = {c["patient_control_number"]: c for c in run["claims"]}
    # proposed 110.00 x 1.03 = 113.30; in force 100.00 x 1.03 = 103.00; 99214 150.00 x 1.03 = 154.50 in both
    assert (
        by_pcn["CANARY-1"]["proposed_expected_allowed"],
        by_pcn["CANARY-1"]["in_force_expected_allowed"],
    ) == (
        "113.30",
        "103.00",
    )
    assert by_pcn["CANARY-1"]["difference"] == "10.30"
    assert (by_pcn["CANARY-2"]["proposed_expected_allowed"], by_pcn["CANARY-2"]["difference"]) == (
        "267.80",
        "10.30",
    )
    assert (run["proposed_total"], run["in_force_total"]) == ("381.10", "360.50")
    assert in_force in by_pcn["CANARY-1"]["in_force_contract"]

    # a real claim naming the draft is not priced under it: it waits for a version in force
    named = t.post("engine", "/v1/claims", {**claim_body("REAL-1", ["99213"]), "contract_id": draft})
    assert named["status"] == "pending"
    assert "no version of contract" in named["status_reason"]

    # nothing of the canaries is kept: no claim, no deadline, no event. A real claim priced after the
    # run is the sentinel: once its claim.priced is on the topic, anything the run published is too
    for pcn in ("CANARY-1", "CANARY-2"):
        assert t.get("engine", "/v1/claims", patient_control_number=pcn)["items"] == []
    sentinel = priced(t, "SENTINEL-1", ["99213"])
    events = eventually(
        "the sentinel's claim.priced on the topic",
        lambda: (
            (found := org_events(t.stack.kafka_bootstrap, t.org_id))
            and any("SENTINEL-1" in json.dumps(e) for e in found)
            and found
        ),
    )
    assert len(events) > len(before)
    assert [e.get("type") for e in events if "CANARY" in json.dumps(e) or "REAL-1" in json.dumps(e)] == []
    eventually(
        "the sentinel's deadlines",
        lambda: [o for o in t.get("tracker", "/v1/obligations", limit=200)["items"] if o.get("claim_id")],
    )
    obligations = t.get("tracker", "/v1/obligations", limit=200)["items"]
    assert {o["claim_id"] for o in obligations if o.get("claim_id")} == {sentinel["id"]}


def tic_file(rates: dict[str, str]) -> str:
    """An in-network-rates file shaped on CMS's fee-for-service sample (CMSgov/price-transparency-guide):
    our group (TIN 12-3456789) and another practice's (TIN 98-7654321, paid $1.00 for everything)."""
    return json.dumps(
        {
            "reporting_entity_name": "Acme Health Plan",
            "reporting_entity_type": "health insurance issuer",
            "last_updated_on": "2026-02-01",
            "version": "2.0.0",
            "provider_references": [
                {
                    "provider_group_id": 1,
                    "provider_groups": [{"npi": [1234567893], "tin": {"type": "ein", "value": "12-3456789"}}],
                },
                {
                    "provider_group_id": 2,
                    "provider_groups": [{"npi": [1111111112], "tin": {"type": "ein", "value": "98-7654321"}}],
                },
            ],
            "in_network": [tic_item(code, rate) for code, rate in rates.items()],
        }
    )


def tic_item(code: str, rate: str) -> dict[str, Any]:
    return {
        "negotiation_arrangement": "ffs",
        "name": f"CPT {code}",
        "billing_code_type": "CPT",
        "billing_code_type_version": "2026",
        "billing_code": code,
        "description": "office visit",
        "negotiated_rates": [
            {
                "provider_references": [1],
                "negotiated_prices": [
                    {
                        "negotiated_type": "negotiated",
                        "negotiated_rate": float(rate),
                        "expiration_date": "9999-12-31",
                        "service_code": ["11"],
                        "billing_class": "professional",
                    }
                ],
            },
            {
                "provider_references": [2],
                "negotiated_prices": [
                    {
                        "negotiated_type": "negotiated",
                        "negotiated_rate": 1.0,
                        "expiration_date": "9999-12-31",
                        "billing_class": "professional",
                    }
                ],
            },
        ],
    }


def test_a_published_rate_file_with_one_wrong_rate_yields_that_code(new_tenant: Any) -> None:
    t = new_tenant("tic")
    _, contract_id = acme_with_escalator(t)
    # in force on 2026-03-01 (after the 2026-01-01 anniversary): 99213 $103.00, 99214 $154.50;
    # the payer loaded 99214 without the escalator
    published = tic_file({"99213": "103.00", "99214": "150.00", "99215": "210.00"})
    form = {"contract_id": contract_id, "as_of": "2026-03-01", "tins": "123456789"}
    files = {"file": ("acme-in-network.json", published, "application/json")}
    found = eventually(
        "the contract at the engine",
        lambda: (
            (r := t.call("POST", "engine", "/v1/published-rates/comparisons", data=form, files=files))
            and r.status_code == 200
            and r.json()
        ),
    )
    assert [(d["code"], d["published"], d["contract"], d["difference"]) for d in found["differences"]] == [
        ("99214", "150.00", "154.50", "-4.50")
    ]
    assert [r["code"] for r in found["not_in_contract"]] == ["99215"]
    assert (found["compared"], found["other_providers"], found["tins"]) == (3, 3, ["12-3456789"])

    bad = t.call(
        "POST",
        "engine",
        "/v1/published-rates/comparisons",
        data=form,
        files={"file": ("x.json", "{}", "application/json")},
    )
    assert bad.status_code == 422 and "no in_network array" in bad.text
