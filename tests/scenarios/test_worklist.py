"""A revenue-cycle analyst's month: claims go in before the contract is signed, the payer's 835
comes back, and the worklist says what to chase, to the cent (issue 10 items 2, 9, 10, 13).

Acme Health Plan's professional agreement pays CPT 99213 $100.00, 99214 $150.00 and a total knee
(27447) $1,800.00 from its fee schedule, with a stop-loss: 50% of a claim's charges above $50,000.
The schedule has no row for 99215. Claims for March 2026 are submitted while the contract is still
being negotiated (pending), then the contract is activated (priced). The 835 of 2026-04-01 then:

  SC-1  99213 + 99214, paid $80.00 + $135.35 of $100 + $150     underpaid $34.65 (CO-45 per line)
  SC-2  27447 billed $89,000, paid $1,800.00: the line in full,  underpaid $19,500.00, the stop-loss
        the stop-loss (50% x $39,000) not at all                 (claim-level: no line carries it)
  SC-3  99214 denied (CLP02 4, CO-50)                            denied $150.00
  SC-4  99213 paid $130.00                                       overpaid $30.00 (listed apart)
  SC-5  99213 paid $100.00 + 99215 (no price) paid $180.00       needs review (never "overpaid")

plus a PLB interest payment of $2.50. Open underpaid and denied variances: $34.65 + $19,500.00 +
$150.00 = $19,684.65, which is the worklist's total; the appeal window (180 days) runs from the
remittance: 2026-04-01 + 180 days = 2026-09-28.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.scenarios.conftest import Tenant, eventually

D = Decimal
SCHEDULE = (
    "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\n"
    "CPT,99213,,,,unit,amount,100.00,,2026-01-01,\n"
    "CPT,99214,,,,unit,amount,150.00,,2026-01-01,\n"
    "CPT,27447,,,,unit,amount,1800.00,,2026-01-01,\n"
)
CLAIMS = {
    "SC-1": [("99213", "150.00"), ("99214", "200.00")],
    "SC-2": [("27447", "89000.00")],
    "SC-3": [("99214", "200.00")],
    "SC-4": [("99213", "150.00")],
    "SC-5": [("99213", "150.00"), ("99215", "250.00")],
}
# (patient control number, CLP02, charge, paid, claim CAS, lines (code, charge, paid, CO-45 amount))
REMITTED: list[tuple[str, str, str, str, list[str], list[tuple[str, str, str, str]]]] = [
    (
        "SC-1",
        "1",
        "350.00",
        "215.35",
        [],
        [("99213", "150.00", "80.00", "70.00"), ("99214", "200.00", "135.35", "64.65")],
    ),
    ("SC-2", "1", "89000.00", "1800.00", [], [("27447", "89000.00", "1800.00", "87200.00")]),
    ("SC-3", "4", "200.00", "0", ["CAS*CO*50*200.00"], []),
    ("SC-4", "1", "150.00", "130.00", [], [("99213", "150.00", "130.00", "20.00")]),
    (
        "SC-5",
        "1",
        "400.00",
        "280.00",
        [],
        [("99213", "150.00", "100.00", "50.00"), ("99215", "250.00", "180.00", "70.00")],
    ),
]
PLB = "PLB*1234567893*20261231*L6:INTEREST*-2.50"


def contract_under_negotiation(t: Tenant) -> str:
    """Payer, fee schedule and a contract that is not in force yet (draft)."""
    payer = t.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    files = {"file": ("acme-2026.csv", SCHEDULE, "text/csv")}
    schedule = t.post("registry", "/v1/fee-schedules", files=files, data={"name": "Acme 2026 professional"})
    term = {
        "name": "Professional and surgery",
        "service_category": "professional",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "10004", "last": "99499"}]},
        "methodology": {"kind": "fee_schedule"},
        "stop_loss": {"threshold": "50000.00", "percent": "50"},
    }
    contract = t.post(
        "registry",
        "/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Acme PPO professional 2026",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2027-12-31",
            "notice_days": 90,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "fee_schedule_id": schedule["schedule"]["id"],
            "payment_terms": [term],
        },
    )
    return str(contract["id"])


def submit(t: Tenant, pcn: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    body = {
        "patient_control_number": pcn,
        "payer_id": "60054",
        "place_of_service": "11",
        "lines": [
            {"code_system": "CPT", "code": code, "units": 1, "charge": charge, "service_date": "2026-03-10"}
            for code, charge in lines
        ],
    }
    claim: dict[str, Any] = t.post("engine", "/v1/claims", body)
    return claim


def x12_835(trace: str) -> str:
    """The payer's 835 (X12 005010X221A1 as sent): BPR02 = sum(CLP04) - PLB = 2425.35 + 2.50."""
    segments = []
    for pcn, status, charge, paid, claim_cas, lines in REMITTED:
        segments.append(f"CLP*{pcn}*{status}*{charge}*{paid}*0*12*PAYER-{pcn}*11*1")
        segments += claim_cas
        for number, (code, line_charge, line_paid, contractual) in enumerate(lines, start=1):
            segments += [f"SVC*HC:{code}*{line_charge}*{line_paid}**1", "DTM*472*20260310"]
            segments += [f"CAS*CO*45*{contractual}", f"REF*6R*{number}"]
    body = [
        "ST*835*0001",
        "BPR*I*2427.85*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260401",
        f"TRN*1*{trace}*1512345678",
        "DTM*405*20260401",
        "N1*PR*ACME HEALTH PLAN*XV*60054",
        "N1*PE*RIVERSIDE CLINIC*XX*1234567893",
        "LX*1",
        *segments,
        PLB,
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    isa = (
        "ISA*00*          *00*          *ZZ*ACME           *ZZ*RIVERSIDE      "
        "*260401*1200*^*00501*000000101*0*P*:"
    )
    envelope = [
        isa,
        "GS*HP*ACME*RIVERSIDE*20260401*1200*101*X*005010X221A1",
        *body,
        "GE*1*101",
        "IEA*1*000000101",
    ]
    return "~\n".join(envelope) + "~\n"


def claim_of(t: Tenant, pcn: str) -> dict[str, Any]:
    (summary,) = t.get("engine", "/v1/claims", patient_control_number=pcn)["items"]
    claim: dict[str, Any] = t.get("engine", f"/v1/claims/{summary['id']}")
    return claim


def test_claims_before_activation_are_priced_and_the_worklist_adds_up(new_tenant: Any) -> None:
    t = new_tenant("worklist")
    contract_id = contract_under_negotiation(t)
    submitted = {pcn: submit(t, pcn, lines) for pcn, lines in CLAIMS.items()}
    assert {c["status"] for c in submitted.values()} == {"pending"}

    # the contract is signed: whatever brings it into force prices the claims that waited
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{contract_id}/{step}", {})
    priced = eventually(
        "the waiting claims priced",
        lambda: (
            (found := {pcn: claim_of(t, pcn) for pcn in CLAIMS})
            and all(c["status"] == "priced" for c in found.values())
            and found
        ),
    )
    expected = {pcn: (D(c["expected_allowed"]), c["pricing_completeness"]) for pcn, c in priced.items()}
    assert expected == {
        "SC-1": (D("250.00"), "fully_priced"),
        "SC-2": (D("21300.00"), "fully_priced"),  # 1,800.00 + 50% x (89,000 - 50,000)
        "SC-3": (D("150.00"), "fully_priced"),
        "SC-4": (D("100.00"), "fully_priced"),
        "SC-5": (D("100.00"), "partly_priced"),
    }
    assert {c["contract_id"] for c in priced.values()} == {contract_id}
    unpriced = [(ln["code"], ln["expected_allowed"], ln["unpriced_reason"]) for ln in priced["SC-5"]["lines"]]
    assert unpriced[0] == ("99213", "100.00", None)
    assert unpriced[1][:2] == ("99215", "0.00") and "no row for CPT/HCPCS 99215" in unpriced[1][2]
    assert any("99215: unpriced" in flag for flag in priced["SC-5"]["flags"])

    # the payer's 835
    upload = t.post("engine", "/v1/remittances/x12", content=x12_835("EFT-20260401-ACME").encode())
    assert upload["classifications"] == {
        "underpaid": 2,
        "denied": 1,
        "overpaid": 1,
        "needs_review": 1,
    }, upload
    variances = {
        v["patient_control_number"]: v for v in t.get("engine", "/v1/variances", status="open")["items"]
    }
    assert {pcn: (v["classification"], D(v["variance"])) for pcn, v in variances.items()} == {
        "SC-1": ("underpaid", D("34.65")),
        "SC-2": ("underpaid", D("19500.00")),
        "SC-3": ("denied", D("150.00")),
        "SC-4": ("overpaid", D("-30.00")),
        "SC-5": ("needs_review", D("-180.00")),
    }

    worklist = t.get("engine", "/v1/worklist")
    owed = sum(
        (D(v["variance"]) for v in variances.values() if v["classification"] in ("underpaid", "denied")), D(0)
    )
    assert D(worklist["total_amount"]) == owed == D("19684.65")
    assert sum((D(i["amount"]) for i in worklist["items"]), D(0)) == D("19684.65")
    groups = {(i["code"], i["carc"]): (D(i["amount"]), i["claim_count"]) for i in worklist["items"]}
    assert groups == {
        ("claim-level", "CO-45"): (D("19500.00"), 1),  # SC-2's stop-loss
        ("99213", "CO-45"): (D("20.00"), 1),
        ("99214", "CO-45"): (D("14.65"), 1),
        ("*", "CO-50"): (D("150.00"), 1),  # SC-3 denied, no service lines on the 835
    }
    assert {i["oldest_remittance"] for i in worklist["items"]} == {"2026-04-01"}
    assert (D(worklist["overpaid"]["total_amount"]), worklist["overpaid"]["variance_count"]) == (
        D("-30.00"),
        1,
    )
    (review,) = worklist["needs_review"]["items"]
    assert (review["code"], D(review["amount"]), D(worklist["needs_review"]["total_amount"])) == (
        "99215",
        D("-180.00"),
        D("-180.00"),
    )

    # the tracker opens an appeal deadline for what is owed, none for the claim that needs review
    sc2 = priced["SC-2"]["id"]
    appeal = eventually(
        "the appeal deadline of the stop-loss underpayment",
        lambda: [
            o for o in t.get("tracker", "/v1/obligations", claim_id=sc2)["items"] if o["kind"] == "appeal"
        ],
    )[0]
    assert appeal["due_date"] == "2026-09-28"

    # the remittance read back
    (remittance,) = t.get("engine", "/v1/remittances", trace_number="EFT-20260401-ACME")["items"]
    assert (D(remittance["total_paid"]), remittance["payment_date"], remittance["claim_count"]) == (
        D("2427.85"),
        "2026-04-01",
        5,
    )
    detail = t.get("engine", f"/v1/remittances/{remittance['id']}")
    assert [(p["reason_code"], p["reference"], D(p["amount"])) for p in detail["provider_adjustments"]] == [
        ("L6", "INTEREST", D("-2.50"))
    ]
    payments = t.get("engine", f"/v1/remittances/{remittance['id']}/claim-payments", limit=500)["items"]
    by_pcn = {p["patient_control_number"]: p for p in payments}
    assert sum((D(p["paid"]) for p in payments), D(0)) == D("2425.35")
    sc1 = [
        (ln["code"], D(ln["paid"]), [(a["group"], a["carc"], D(a["amount"])) for a in ln["adjustments"]])
        for ln in by_pcn["SC-1"]["lines"]
    ]
    assert sc1 == [
        ("99213", D("80.00"), [("CO", "45", D("70.00"))]),
        ("99214", D("135.35"), [("CO", "45", D("64.65"))]),
    ]
    assert [(a["group"], a["carc"], D(a["amount"])) for a in by_pcn["SC-3"]["adjustments"]] == [
        ("CO", "50", D("200.00"))
    ]
    assert by_pcn["SC-2"]["claim_id"] == sc2
    other = new_tenant("stranger")
    assert other.call("GET", "engine", f"/v1/remittances/{remittance['id']}").status_code == 404
