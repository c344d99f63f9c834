"""Facility claims priced by the Medicare schedule their contract names (or their setting implies).

An operator loads CMS's ASC addenda for January 2026 with the CY2026 ASC wage index, and OPPS
Addendum B for January 2025, through the engine's reference endpoint (each answers its report of
rows read and refused). Dallas Surgery Center (NPI 1888888884, CBSA 19124 Dallas-Plano-Irving, ASC
wage index 0.9639) holds a contract at 180% of the Medicare ASC schedule; its 837P (POS 24) of
10 March 2026 bills a knee arthroscopy 29881, a total knee 27447 (device-intensive, J8) and a
facet injection 64483.

ASC (factor 0.5 x 0.9639 + 0.5 = 0.98195):
- 27447: $5,594.25 device + ($9,393.16 - $5,594.25) x 0.98195 = $9,324.59, ranked #1 at 100%;
  x 180% = $16,784.26
- 29881: $1,644.87 x 0.98195 = $1,615.18, #2 at 50% (-$807.59) = $807.59; x 180% = $1,453.66
- 64483: $485.51 x 0.98195 = $476.75, #3 at 50% (-$238.38) = $238.37; x 180% = $429.07
Total $18,666.99.

A hospital outpatient department bills an 837I (type of bill 0131) of 14 March 2025 under a contract
at 100% of Medicare without naming a schedule: type of bill 13x means OPPS. Two status T
procedures: 43239 $937.56 (#1) and 45378 $911.71 at 50% = $455.85 (national unadjusted: no OPPS
wage index loaded). Total $1,393.41.

A DME supplier in Dallas holds a contract at 120% of the Medicare DMEPOS fee schedule. The operator
loads the DMEPOS January 2026 file over HTTP and CMS's ZIP5 file (with its rural indicator) by the
engine's CLI. The supplier bills a CPAP rental (E0601-RR) of 9 February 2026 for two beneficiaries
in one 837P: one lives in Brownwood, TX 76801 (ZIP5 RURAL IND R: the subscriber's N4, loop 2010BA),
the other, a dependant, in Dallas, TX 75201 (urban: the patient's N4, loop 2010CA). A third claim, in
JSON, names beneficiary ZIP 76801-1234. DMEPOS26_JAN.csv's E0601-RR row: TX (NR) $50.91, TX (R) $91.52.
- rural: $91.52 x 120% = $109.824 -> $109.82
- urban: $50.91 x 120% = $61.092 -> $61.09
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from accord_common.devstack.stack import SERVICES, Stack

from tests.scenarios.conftest import Tenant, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

CMS = Path(__file__).with_name("data") / "cms"
ASC_NPI, HOPD_NPI, DME_NPI = "1888888884", "1999999992", "1234567893"


def load(t: Tenant, schedule: str, part: str, effective_on: str, path: Path) -> dict[str, Any]:
    """The operator's upload: the file as CMS publishes it, answered with its report."""
    params = {"effective_on": effective_on, "filename": path.name}
    report: dict[str, Any] = t.post(
        "engine", f"/v1/reference/medicare/{schedule}/{part}", content=path.read_bytes(), params=params
    )
    return report


def x12(segments: list[str], version: str, claim_date: str) -> str:
    isa = (
        "ISA*00*          *00*          *ZZ*DALLASSC       *ZZ*ACME           *260312*1200*^*00501"
        "*000000201*0*T*:"
    )
    body = ["ST*837*0001*" + version, *segments]
    lines = [isa, f"GS*HC*DALLASSC*ACME*{claim_date}*1200*201*X*{version}", *body]
    lines += [f"SE*{len(body) + 1}*0001", "GE*1*201", "IEA*1*000000201"]
    return "~\n".join(lines) + "~\n"


def header(name: str, npi: str, claim_date: str) -> list[str]:
    return [
        f"BHT*0019*00*0001*{claim_date}*1200*CH",
        f"NM1*41*2*{name}*****46*DALLASSC",
        "PER*IC*BILLING OFFICE*TE*2145550100",
        "NM1*40*2*ACME HEALTH PLAN*****46*60054",
        "HL*1**20*1",
        f"NM1*85*2*{name}*****XX*{npi}",
        "N3*1 ELM ST",
        "N4*DALLAS*TX*75201",
        "REF*EI*987654321",
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*DOE*JANE****MI*MEMBER0002",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*60054",
    ]


def asc_837p() -> str:
    """Dallas Surgery Center's facility claim on the professional form: POS 24, three procedures."""
    dos = "20260310"
    claim = ["CLM*ASC-0310*27000.00***24:B:1*Y*A*Y*Y", "HI*ABK:M1711"]
    for n, (code, charge) in enumerate(
        (("29881", "6000.00"), ("27447", "18000.00"), ("64483", "3000.00")), 1
    ):
        claim += [f"LX*{n}", f"SV1*HC:{code}*{charge}*UN*1***1", f"DTP*472*D8*{dos}"]
    return x12(header("DALLAS SURGERY CENTER", ASC_NPI, "20260312") + claim, "005010X222A2", "20260312")


def hopd_837i() -> str:
    """A hospital outpatient bill (TOB 0131) with two endoscopies (status T)."""
    dos = "20250314"
    claim = [
        "CLM*HOPD-0314*5000.00***13:A:1*Y*A*Y*Y",
        f"DTP*434*RD8*{dos}-{dos}",
        "CL1*1*1*01",
        "HI*ABK:K219",
        "LX*1",
        "SV2*0360*HC:43239*3000.00*UN*1",
        f"DTP*472*D8*{dos}",
        "LX*2",
        "SV2*0360*HC:45378*2000.00*UN*1",
        f"DTP*472*D8*{dos}",
    ]
    return x12(header("DALLAS GENERAL HOSPITAL", HOPD_NPI, "20250320") + claim, "005010X223A3", "20250320")


def activate(t: Tenant, payer_id: str, name: str, scope: dict[str, Any], methodology: dict[str, Any]) -> str:
    body = {
        "payer_id": payer_id,
        "name": name,
        "line_of_business": "commercial",
        "scope": scope,
        "effective_date": "2025-01-01",
        "termination_date": "2027-12-31",
        "notice_days": 90,
        "appeal_window_days": 180,
        "prompt_pay_days": 30,
        "payment_terms": [
            {
                "name": "Surgical procedures",
                "service_category": "outpatient",
                "matcher": {"ranges": [{"code_system": "CPT", "first": "10004", "last": "69990"}]},
                "methodology": methodology,
            }
        ],
    }
    created = t.post("registry", "/v1/contracts", body)
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{created['id']}/{step}", {})
    return str(created["id"])


def profile() -> dict[str, Any]:
    return {
        "name": "Dallas Surgical Partners",
        "tins": [{"number": "98-7654321"}],
        "npis": [{"number": ASC_NPI, "type": 2}, {"number": HOPD_NPI, "type": 2}],
        "locations": [
            {
                "name": "Dallas Surgery Center",
                "medicare_locality": {"mac": "04412", "locality": "11"},
                "npis": [ASC_NPI],
                "zip_code": "75201",
                "cbsa": "19124",
            },
            {
                "name": "Dallas General outpatient",
                "medicare_locality": {"mac": "04412", "locality": "11"},
                "npis": [HOPD_NPI],
                "zip_code": "75201",
            },
        ],
    }


def priced(t: Tenant, claim_id: str) -> dict[str, Any] | None:
    claim: dict[str, Any] = t.get("engine", f"/v1/claims/{claim_id}")
    return claim if claim["status"] == "priced" else None


def setup(t: Tenant) -> str:
    t.put("registry", "/v1/organisation", profile())
    payer = t.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    eventually(
        "the engine holding the locations", lambda: len(t.get("engine", "/v1/locations")["items"]) == 2
    )
    return str(payer["id"])


def test_an_asc_claim_is_priced_at_180_percent_of_the_asc_schedule(stack: Stack, new_tenant: Any) -> None:
    t: Tenant = new_tenant("asc")
    reports = {
        part: load(t, "asc", part, "2026-01-01", CMS / "asc-2026" / f"{part}.csv")
        for part in ("AA", "BB", "EE", "FF")
    }
    assert (reports["AA"]["rows_read"], reports["AA"]["rows_refused"]) == (14, 0)
    wage = load(t, "asc", "wage_index", "2026-01-01", CMS / "asc-2026" / "wage_index.csv")
    assert (wage["rows_read"], wage["rows_loaded"]) == (3, 3)
    # the CY2025 index lists CBSA 01 and 04 twice with different values: refused, with why
    wage_2025 = load(t, "asc", "wage_index", "2025-01-01", CMS / "asc-2025-wage_index.txt")
    assert (wage_2025["rows_read"], wage_2025["rows_refused"]) == (6, 4)
    assert wage_2025["refused"][0] == {
        "line": 2,
        "reason": "CBSA 01 is listed 2 times with different values (0.6471, 0.7158)",
    }
    bad = t.call(
        "POST",
        "engine",
        "/v1/reference/medicare/asc/AA",
        content=b"not,a,cms,file\n",
        params={"effective_on": "2026-01-01", "filename": "AA.csv"},
    )
    assert bad.status_code == 422 and "no header row" in bad.json()["detail"]

    payer = setup(t)
    contract = activate(
        t,
        payer,
        "Acme PPO surgery center",
        {"claim_types": ["professional"]},
        {"kind": "percent_of_medicare", "percent": "180", "basis": "ASC"},
    )
    shown = t.get("registry", f"/v1/contracts/{contract}")["version"]["payment_terms"][0]["methodology"]
    assert shown["basis"] == "ASC"

    sent = t.post("engine", "/v1/claims/x12", content=asc_837p().encode())
    assert sent["refused"] == []
    claim = eventually("the ASC claim priced", lambda: priced(t, sent["claims"][0]["id"]), timeout=120)
    assert (claim["contract_id"], claim["expected_allowed"]) == (contract, "18666.99")
    lines = {line["code"]: line["expected_allowed"] for line in claim["lines"]}
    assert lines == {"29881": "1453.66", "27447": "16784.26", "64483": "429.07"}
    text = claim["explanation"]
    for expected in (
        "Medicare ASC (ASC payment system): named by the term",
        "ASC January 2026 release Addendum AA 27447 (payment indicator J8, weight 166.7760 x conversion factor 56.322): national rate $9,393.16",
        "device-intensive (J8): device portion $5,594.25 (44.17%, Addendum FF) is not wage-adjusted",
        "CY2026 ASC wage index 0.9639 (CBSA 19124): $5,594.25 + $3,798.91 x (0.5 x 0.9639 + 0.5) = $9,324.59",
        "CY2026 ASC wage index 0.9639 (CBSA 19124): $1,644.87 x (0.5 x 0.9639 + 0.5) = $1,615.18",
        "ASC multiple procedure discounting: 3 procedures, this line's unit(s) ranked #2 at 50% (-$807.59)",
        "180% x Medicare ASC payment $807.59 (ASC January 2026 release: $1,615.18 x 1 unit(s) - $807.59 discounting) = $1,453.66",
        "180% x Medicare ASC payment $9,324.59 (ASC January 2026 release: $9,324.59 x 1 unit(s)) = $16,784.26",
        "180% x Medicare ASC payment $238.37 (ASC January 2026 release: $476.75 x 1 unit(s) - $238.38 discounting) = $429.07",
    ):
        assert expected in text, expected


def test_a_hospital_outpatient_837i_is_priced_by_apc(stack: Stack, new_tenant: Any) -> None:
    t: Tenant = new_tenant("opps")
    report = load(t, "opps", "B", "2025-01-01", CMS / "opps" / "addendum_b_2025_jan.csv")
    assert (report["rows_read"], report["rows_refused"]) == (20, 0)
    payer = setup(t)
    contract = activate(
        t,
        payer,
        "Acme PPO hospital outpatient",
        {"claim_types": ["institutional"], "bill_types": ["13"]},
        {"kind": "percent_of_medicare", "percent": "100"},
    )
    sent = t.post("engine", "/v1/claims/x12", content=hopd_837i().encode())
    assert sent["refused"] == []
    claim = eventually("the outpatient claim priced", lambda: priced(t, sent["claims"][0]["id"]), timeout=120)
    assert (claim["contract_id"], claim["expected_allowed"]) == (contract, "1393.41")
    assert {line["code"]: line["expected_allowed"] for line in claim["lines"]} == {
        "43239": "937.56",
        "45378": "455.85",
    }
    text = claim["explanation"]
    for expected in (
        "Medicare OPPS (hospital outpatient PPS (APC)): type of bill 0131 (hospital outpatient)",
        "OPPS Addendum B January 2025 45378: status indicator T, APC 5311, relative weight 10.2245 x conversion factor 89.169: national unadjusted rate $911.71",
        "national unadjusted: no OPPS wage index loaded for the year",
        "OPPS status T multiple procedure discounting: 2 procedures, this line's unit(s) ranked #2 at 50% (-$455.86)",
    ):
        assert expected in text, expected


def engine_cli(stack: Stack, *args: str) -> str:
    """The engine's own CLI against the stack's engine database, as an operator runs it."""
    spec = next(s for s in SERVICES if s.name == "reimbursement-engine")
    done = subprocess.run(
        [sys.executable, "-m", "reimbursement_engine.cli", *args],
        capture_output=True,
        text=True,
        env=stack.env_for(spec),
        check=True,
        timeout=300,
    )
    return done.stdout


def dme_contract(payer_id: str) -> dict[str, Any]:
    return {
        "payer_id": payer_id,
        "name": "Acme PPO home medical equipment",
        "line_of_business": "commercial",
        "scope": {"claim_types": ["professional"]},
        "effective_date": "2026-01-01",
        "termination_date": "2026-12-31",
        "notice_days": 90,
        "appeal_window_days": 180,
        "prompt_pay_days": 30,
        "payment_terms": [
            {
                "name": "Durable medical equipment",
                "service_category": "dme",
                "matcher": {"ranges": [{"code_system": "HCPCS", "first": "E0100", "last": "E9999"}]},
                "methodology": {"kind": "percent_of_medicare", "percent": "120", "basis": "DMEPOS"},
            }
        ],
    }


def dme_837p() -> str:
    """Two CPAP rentals: a subscriber in rural Brownwood (2010BA N4) and a dependant in Dallas
    (2010CA N4) whose subscriber lives in Brownwood."""
    segments = [
        "BHT*0019*00*0001*20260212*1200*CH",
        "NM1*41*2*DALLAS HOME MEDICAL*****46*DALLASSC",
        "PER*IC*BILLING OFFICE*TE*2145550100",
        "NM1*40*2*ACME HEALTH PLAN*****46*60054",
        "HL*1**20*1",
        f"NM1*85*2*DALLAS HOME MEDICAL*****XX*{DME_NPI}",
        "N3*1 ELM ST",
        "N4*DALLAS*TX*75201",
        "REF*EI*987654321",
    ]
    for hl, (pcn, member, patient) in enumerate(
        (("CPAP-BROWNWOOD", "MEMBER0101", None), ("CPAP-DALLAS", "MEMBER0102", "752014402")), 0
    ):
        first = 2 + 2 * hl
        segments += [
            f"HL*{first}*1*22*{0 if patient is None else 1}",
            "SBR*P*18*******CI",
            f"NM1*IL*1*DOE*JANE****MI*{member}",
            "N3*12 FISK AVE",
            "N4*BROWNWOOD*TX*76801",
            "NM1*PR*2*ACME HEALTH PLAN*****PI*60054",
        ]
        if patient is not None:
            segments += [f"HL*{first + 1}*{first}*23*0", "PAT*19", "NM1*QC*1*DOE*JOHN", "N3*4 MAIN ST"]
            segments += [f"N4*DALLAS*TX*{patient}"]
        segments += [
            f"CLM*{pcn}*120.00***12:B:1*Y*A*Y*Y",
            "HI*ABK:G4733",
            "LX*1",
            "SV1*HC:E0601:RR*120.00*UN*1***1",
            "DTP*472*D8*20260209",
        ]
    return x12(segments, "005010X222A2", "20260212")


def test_a_dme_claim_is_priced_at_the_rural_amount_where_the_beneficiary_lives(
    stack: Stack, new_tenant: Any
) -> None:
    t: Tenant = new_tenant("dmerural")
    report = load(t, "dmepos", "DMEPOS", "2026-01-01", CMS / "dmepos" / "DMEPOS26_JAN.csv")
    assert (report["rows_read"], report["rows_refused"]) == (1, 0)
    assert "8 ZIP codes" in engine_cli(
        stack, "load-zip-localities", "--file", str(CMS / "zip5_dmepos_sample.csv")
    )
    t.put(
        "registry",
        "/v1/organisation",
        {
            "name": "Dallas Home Medical",
            "tins": [{"number": "98-7654321"}],
            "npis": [{"number": DME_NPI, "type": 2}],
            "locations": [
                {
                    "name": "Dallas Home Medical",
                    "medicare_locality": {"mac": "04412", "locality": "11"},
                    "npis": [DME_NPI],
                    "zip_code": "75201",
                }
            ],
        },
    )
    payer = t.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    contract = t.post("registry", "/v1/contracts", dme_contract(payer["id"]))
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{contract['id']}/{step}", {})

    sent = t.post("engine", "/v1/claims/x12", content=dme_837p().encode())
    assert sent["refused"] == []
    json_claim = {
        "patient_control_number": "CPAP-JSON",
        "payer_id": "60054",
        "claim_type": "professional",
        "billing_provider": {"npi": DME_NPI},
        "place_of_service": "12",
        "beneficiary_zip": "76801-1234",
        "lines": [
            {
                "code_system": "HCPCS",
                "code": "E0601",
                "modifiers": ["RR"],
                "charge": "120.00",
                "service_date": "2026-02-09",
            }
        ],
    }
    bad = t.call("POST", "engine", "/v1/claims", json=json_claim | {"beneficiary_zip": "7680"})
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["beneficiary_zip"]
    posted = t.post("engine", "/v1/claims", json_claim)
    ids = {c["patient_control_number"]: c["id"] for c in sent["claims"]} | {"CPAP-JSON": posted["id"]}

    expected = {
        "CPAP-BROWNWOOD": ("109.82", "76801 in TX, rural (RURAL IND R)", "TX (R): $91.52", "$91.52"),
        "CPAP-JSON": ("109.82", "76801 in TX, rural (RURAL IND R)", "TX (R): $91.52", "$91.52"),
        "CPAP-DALLAS": ("61.09", "75201 in TX, urban (RURAL IND blank)", "TX (NR): $50.91", "$50.91"),
    }
    for pcn, (amount, area, column, medicare) in expected.items():
        claim = eventually(f"{pcn} priced", lambda pcn=pcn: priced(t, ids[pcn]), timeout=120)
        assert (claim["contract_id"], claim["expected_allowed"]) == (contract["id"], amount), claim
        assert claim["flags"] == []
        text = claim["explanation"]
        for line in (
            "Medicare DMEPOS (DMEPOS fee schedule): named by the term",
            f"DMEPOS state and rural / non-rural: beneficiary ZIP {area} in CMS's ZIP5 file",
            f"DMEPOS January 2026 E0601-RR {column}",
            f"120% x Medicare DMEPOS payment {medicare} (DMEPOS January 2026: {medicare} x 1 unit(s)) = ${amount}",
        ):
            assert line in text, (pcn, line, text)
