"""837 files as billing systems write them, uploaded by revenue-cycle staff.

The contracting team sets up Sunrise Health Plan (X12 payer id SHP01) with one commercial contract:
professional services from a fee schedule (CPT 99213 $100.00, 99214 $145.50, 36415 $8.75) and
facility revenue codes at 55% of charges, 90 days' timely filing. Then the billing office uploads:

1. a file its clearinghouse rejected: a repeated CLM01, a CLM02 that is not the sum of its lines
   and a wrong SE01. Refused with all three breaches named; nothing is stored.
2. an 837P export holding two interchanges, indented, CRLF line ends and blank lines between
   segments: both claims priced to the cent; the tracker opens their timely-filing deadlines.
3. an 837I inpatient claim carrying its discharge hour (`DTP*096*TM*0900`): priced to the cent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.scenarios.conftest import Tenant, eventually

D = Decimal
PAYER = "SHP01"
SCHEDULE = (
    "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\n"
    "CPT,99213,,,,unit,amount,100.00,,2026-01-01,\n"
    "CPT,99214,,,,unit,amount,145.50,,2026-01-01,\n"
    "CPT,36415,,,,unit,amount,8.75,,2026-01-01,\n"
)
# Loop depth of the segments that open a level: how a human-readable export indents them.
DEPTH = {"ISA": 0, "IEA": 0, "GS": 1, "GE": 1, "ST": 2, "SE": 2, "HL": 3, "CLM": 4, "LX": 5}


def interchange(control: int, version: str, claims: list[list[str]], *, se01: int | None = None) -> list[str]:
    """One ISA..IEA around one 837 of `claims` (each a subscriber loop with its CLM and lines)."""
    isa = (
        f"ISA*00*          *00*          *ZZ*SUNRISECLINIC  *ZZ*CLEARINGHOUSE  "
        f"*260310*0930*^*00501*{control:09d}*0*P*:"
    )
    body = [
        "BHT*0019*00*BATCH1*20260310*0930*CH",
        "NM1*41*2*SUNRISE CLINIC*****46*SUNRISECLINIC",
        "PER*IC*BILLING OFFICE*TE*5555550100",
        "NM1*40*2*SUNRISE HEALTH PLAN*****46*SHP01",
        "HL*1**20*1",
        "NM1*85*2*SUNRISE CLINIC*****XX*1234567893",
        "N3*1 MAIN ST",
        "N4*BAKERSFIELD*CA*93301",
        "REF*EI*123456789",
    ]
    for number, claim in enumerate(claims, start=2):
        body += [
            f"HL*{number}*1*22*0",
            "SBR*P*18*******CI",
            f"NM1*IL*1*DOE*SAM****MI*M{control}{number}",
            "NM1*PR*2*SUNRISE HEALTH PLAN*****PI*SHP01",
            *claim,
        ]
    count = len(body) + 2 if se01 is None else se01
    transaction = [f"ST*837*0001*{version}", *body, f"SE*{count}*0001"]
    gs = f"GS*HC*SUNRISECLINIC*CLEARINGHOUSE*20260310*0930*{control}*X*{version}"
    return [isa, gs, *transaction, f"GE*1*{control}", f"IEA*1*{control:09d}"]


def professional(pcn: str, total: str, *lines: tuple[str, str, str]) -> list[str]:
    """A CLM in an office (place of service 11) with its (procedure, charge, date) lines."""
    claim = [f"CLM*{pcn}*{total}***11:B:1*Y*A*Y*Y", "HI*ABK:J209"]
    for number, (code, charge, day) in enumerate(lines, start=1):
        claim += [f"LX*{number}", f"SV1*HC:{code}*{charge}*UN*1***1", f"DTP*472*D8*{day}"]
    return claim


def compact(segments: list[str]) -> str:
    return "~".join(segments) + "~"


def indented(segments: list[str]) -> str:
    """One segment a CRLF line, indented by its loop, padded, with blank lines around each group."""
    lines, depth = ["", ""], 0
    for segment in segments:
        depth = DEPTH.get(segment.split("*", 1)[0], depth)
        blank = [""] if segment.startswith(("HL*", "GE*")) else []
        lines += [*blank, "    " * depth + segment + "~  "]
    return "\r\n".join(lines) + "\r\n\r\n"


def set_up_contract(t: Tenant) -> str:
    """Payer, fee schedule and an activated contract, as the contracting team enters them."""
    payer = t.post("registry", "/v1/payers", {"name": "Sunrise Health Plan", "x12_payer_id": PAYER})
    schedule = t.post(
        "registry",
        "/v1/fee-schedules",
        files={"file": ("sunrise-2026.csv", SCHEDULE, "text/csv")},
        data={"name": "Sunrise 2026 professional"},
    )
    contract = t.post(
        "registry",
        "/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Sunrise commercial 2026",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2026-12-31",
            "notice_days": 90,
            "timely_filing_days": 90,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "fee_schedule_id": schedule["schedule"]["id"],
            "payment_terms": [
                {
                    "name": "Professional",
                    "service_category": "professional",
                    "matcher": {
                        "ranges": [
                            {"code_system": "CPT", "first": "99202", "last": "99499"},
                            {"code_system": "CPT", "first": "36415", "last": "36415"},
                        ]
                    },
                    "methodology": {"kind": "fee_schedule"},
                },
                {
                    "name": "Facility revenue codes",
                    "service_category": "facility",
                    "matcher": {"ranges": [{"code_system": "REV", "first": "0100", "last": "0999"}]},
                    "methodology": {"kind": "percent_of_charges", "percent": "55"},
                },
            ],
        },
    )
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{contract['id']}/{step}", {})
    return str(contract["id"])


def upload(t: Tenant, text: str) -> Any:
    return t.call("POST", "engine", "/v1/claims/x12", content=text.encode("ascii"))


def claims_by_pcn(t: Tenant) -> dict[str, Any]:
    return {c["patient_control_number"]: c for c in t.get("engine", "/v1/claims", limit=200)["items"]}


def priced(t: Tenant, pcns: set[str]) -> dict[str, Any] | None:
    claims = claims_by_pcn(t)
    if pcns <= claims.keys() and all(claims[p]["status"] == "priced" for p in pcns):
        return claims
    return None


def test_a_file_with_several_breaches_is_refused_naming_each_and_stores_nothing(new_tenant: Any) -> None:
    t = new_tenant("x12refused")
    set_up_contract(t)
    first = professional(
        "X12-BAD-001", "170.00", ("99213", "150.00", "20260302"), ("36415", "25.00", "20260302")
    )
    again = professional("X12-BAD-001", "210.00", ("99214", "210.00", "20260303"))
    segments = interchange(301, "005010X222A1", [first, again], se01=30)
    # ISA 0, GS 1, ST 2, header 3-11, HL/SBR/NM1/NM1 12-15, CLM 16 ... second claim's CLM 28, SE 33.
    assert segments[16].startswith("CLM*X12-BAD-001*170.00") and segments[28].startswith("CLM*X12-BAD-001")
    assert segments[33] == "SE*30*0001"  # ST to SE are 32 segments

    response = upload(t, indented(segments))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert [(e["rule"], e["segment"], e["segment_index"]) for e in problem["errors"]] == [
        ("837 CLM02 = sum of the service line charges (SV102 / SV203)", "CLM", 16),
        ("837 CLM01 is unique within the file", "CLM", 28),
        ("SE01 = number of segments from ST to SE", "SE", 33),
    ]
    messages = [e["message"] for e in problem["errors"]]
    assert "CLM02 170.00 differs from the sum of its line charges 175.00" in messages[0]
    assert "SE01 declares 30; there are 32 segments from ST to SE" in messages[2]
    assert "3 rule breach(es)" in problem["detail"]
    assert t.get("engine", "/v1/claims")["items"] == []


def test_837s_as_written_are_priced_to_the_cent(new_tenant: Any) -> None:
    t = new_tenant("x12files")
    contract_id = set_up_contract(t)
    eventually(  # the engine holds the activated contract before the billing office uploads
        "the contract in the engine",
        lambda: (
            t.call(
                "GET", "engine", "/v1/margin", params={"contract_id": contract_id, "on": "2026-03-02"}
            ).status_code
            == 200
        ),
    )

    office_visit = professional(
        "X12-P-001", "175.00", ("99213", "150.00", "20260302"), ("36415", "25.00", "20260302")
    )
    follow_up = professional("X12-P-002", "210.00", ("99214", "210.00", "20260303"))
    export = indented(interchange(101, "005010X222A1", [office_visit]))
    export += indented(interchange(102, "005010X222A1", [follow_up]))
    answer = t.post("engine", "/v1/claims/x12", content=export.encode("ascii"))
    assert sorted(c["patient_control_number"] for c in answer["claims"]) == ["X12-P-001", "X12-P-002"]
    assert (answer["refused"], answer["flags"]) == ([], [])

    inpatient = [
        "CLM*X12-I-001*4050.00***11:A:1**A*Y*Y",
        "DTP*096*TM*0900",
        "DTP*434*RD8*20260302-20260305",
        "DTP*435*DT*202603020815",
        "CL1*1*7*01",
        "HI*ABK:J189",
        "LX*1",
        "SV2*0120**3600.00*DA*3",
        "LX*2",
        "SV2*0300**450.00*UN*1",
    ]
    answer = t.post(
        "engine", "/v1/claims/x12", content=compact(interchange(201, "005010X223A2", [inpatient]))
    )
    assert [c["patient_control_number"] for c in answer["claims"]] == ["X12-I-001"]

    claims = eventually("the three claims priced", lambda: priced(t, {"X12-P-001", "X12-P-002", "X12-I-001"}))
    office, visit, stay = claims["X12-P-001"], claims["X12-P-002"], claims["X12-I-001"]
    assert (D(office["total_charge"]), D(office["expected_allowed"])) == (D("175.00"), D("108.75"))
    assert (D(visit["total_charge"]), D(visit["expected_allowed"])) == (D("210.00"), D("145.50"))
    assert (D(stay["total_charge"]), D(stay["expected_allowed"])) == (D("4050.00"), D("2227.50"))
    detail = t.get("engine", f"/v1/claims/{office['id']}")
    assert [(x["code"], D(x["expected_allowed"])) for x in detail["lines"]] == [
        ("99213", D("100.00")),
        ("36415", D("8.75")),
    ]
    stay_lines = t.get("engine", f"/v1/claims/{stay['id']}")["lines"]
    assert [D(x["expected_allowed"]) for x in stay_lines] == [D("1980.00"), D("247.50")]

    # 90 days after the date of service, pulled back to the Friday when it lands on a Sunday.
    for claim, due in ((office, "2026-05-29"), (visit, "2026-06-01")):
        filing = eventually(
            f"the timely-filing deadline of {claim['patient_control_number']}",
            lambda claim=claim: [
                o
                for o in t.get("tracker", "/v1/obligations", claim_id=claim["id"])["items"]
                if o["kind"] == "timely_filing"
            ],
        )
        assert filing[0]["due_date"] == due
