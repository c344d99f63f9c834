"""The right contract, at the right place: one payer, three contracts, two locations.

A physician group and hospital outpatient department (St Mary, TIN 12-3456789) holds three contracts
with Acme Health Plan: professional commercial at 150% of Medicare, outpatient facility commercial
(types of bill 013x) at 60% of billed charges, and Medicare Advantage professional at 100% of
Medicare. Its San Francisco campus (NPI 1555555550, locality 01112-05, CBSA 41884) and Los Angeles
clinic (NPI 1666666668, locality 01182-18) are in its registry profile. Claims come as JSON and as
837P / 837I files; each is priced under the contract it belongs to with the GPCIs of the locality
where it was rendered, or held for review when that cannot be told.

CY2025 99213 (work 1.30, PE non-facility 1.35, MP 0.10 RVU; CF 32.3465), GPCIs from gpci2025.csv:
- San Francisco 01112-05 (1.088 / 1.419 / 0.445): (1.4144 + 1.91565 + 0.0445) x 32.3465 = $109.15
- Los Angeles 01182-18 (1.042 / 1.194 / 0.690): (1.3546 + 1.6119 + 0.069) x 32.3465 = $98.19
150%: $163.73 (San Francisco), $147.29 (Los Angeles).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from accord_common.devstack.stack import SERVICES, Stack

from tests.scenarios.conftest import Tenant, eventually

# the stack's start (shared, session-wide) and loading the CY2025 PFS count against the first test
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
PFS_2025 = ROOT.parent / "shared" / "data" / "cms-pfs-2025"
ZIP_SAMPLE = Path(__file__).with_name("data") / "cms_zip5_sample.csv"
SF_NPI, LA_NPI, OTHER_NPI = "1555555550", "1666666668", "1777777776"
DOS, RECEIVED = "2025-03-14", "2025-03-20"


def engine_cli(stack: Stack, *args: str) -> str:
    """Run the engine's own CLI against the stack's engine database, as an operator would."""
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


def profile() -> dict[str, Any]:
    return {
        "name": "St Mary Medical Group",
        "tins": [{"number": "12-3456789"}],
        "npis": [{"number": SF_NPI, "type": 2}, {"number": LA_NPI, "type": 2}],
        "locations": [
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
                "zip_code": "90017",
            },
        ],
    }


def contract(
    payer_id: str, name: str, lob: str, scope: dict[str, Any], term: dict[str, Any], prompt_pay_days: int
) -> dict[str, Any]:
    return {
        "payer_id": payer_id,
        "name": name,
        "line_of_business": lob,
        "scope": scope,
        "effective_date": "2025-01-01",
        "termination_date": "2026-12-31",
        "notice_days": 90,
        "appeal_window_days": 180,
        "prompt_pay_days": prompt_pay_days,
        "payment_terms": [term],
    }


def medicare_term(percent: str) -> dict[str, Any]:
    return {
        "name": "Professional services",
        "service_category": "professional",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
        "methodology": {"kind": "percent_of_medicare", "percent": percent},
    }


FACILITY_TERM = {
    "name": "Outpatient facility",
    "service_category": "outpatient",
    "matcher": {"ranges": [{"code_system": "REV", "first": "0100", "last": "0999"}]},
    "methodology": {"kind": "percent_of_charges", "percent": "60"},
}


def activate(t: Tenant, body: dict[str, Any]) -> str:
    created = t.post("registry", "/v1/contracts", body)
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{created['id']}/{step}", {})
    return str(created["id"])


def office_visit(pcn: str, **header: Any) -> dict[str, Any]:
    line = {"code_system": "CPT", "code": "99213", "units": 1, "charge": "200.00", "service_date": DOS}
    return {
        "patient_control_number": pcn,
        "payer_id": "60054",
        "received_date": RECEIVED,
        "lines": [line],
        **header,
    }


def x12(segments: list[str], version: str) -> str:
    """One interchange, one 837 transaction (SE01 counts ST through SE)."""
    isa = (
        "ISA*00*          *00*          *ZZ*STMARY         *ZZ*ACME           *250320*1200*^*00501"
        "*000000101*0*T*:"
    )
    body = ["ST*837*0001*" + version, *segments]
    return (
        "~\n".join(
            [
                isa,
                f"GS*HC*STMARY*ACME*20250320*1200*101*X*{version}",
                *body,
                f"SE*{len(body) + 1}*0001",
                "GE*1*101",
                "IEA*1*000000101",
            ]
        )
        + "~\n"
    )


def header_loops(filing_code: str, billing_npi: str, billing_zip: str) -> list[str]:
    """Submitter, receiver, billing provider (2010AA with its ZIP), subscriber and payer."""
    return [
        "BHT*0019*00*0001*20250320*1200*CH",
        "NM1*41*2*ST MARY MEDICAL GROUP*****46*STMARY",
        "PER*IC*BILLING OFFICE*TE*4155550100",
        "NM1*40*2*ACME HEALTH PLAN*****46*60054",
        "HL*1**20*1",
        f"NM1*85*2*ST MARY MEDICAL GROUP*****XX*{billing_npi}",
        "N3*1 MAIN ST",
        f"N4*SAN FRANCISCO*CA*{billing_zip}",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        f"SBR*P*18*******{filing_code}",
        "NM1*IL*1*DOE*JANE****MI*MEMBER0001",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*60054",
    ]


def professional_837() -> str:
    """An 837P from the billing service's NPI (no location of its own), rendered at a facility in
    Los Angeles named by ZIP only (loop 2310C without an NPI)."""
    claim = [
        "CLM*X12-PROF-LA*200.00***11:B:1*Y*A*Y*Y",
        "HI*ABK:J020",
        "NM1*77*2*DOWNTOWN LA SUITE",
        "N3*300 S GRAND AVE",
        "N4*LOS ANGELES*CA*900121234",
        "LX*1",
        "SV1*HC:99213*200.00*UN*1***1",
        f"DTP*472*D8*{DOS.replace('-', '')}",
    ]
    return x12(header_loops("CI", OTHER_NPI, "93301") + claim, "005010X222A2")


def institutional_837() -> str:
    """An 837I hospital outpatient bill (TOB 0131) rendered at the San Francisco campus (2310E NPI)."""
    claim = [
        "CLM*X12-OUTPT-SF*600.00***13:A:1*Y*A*Y*Y",
        f"DTP*434*RD8*{DOS.replace('-', '')}-{DOS.replace('-', '')}",
        "CL1*1*1*01",
        "HI*ABK:R079",
        f"NM1*77*2*ST MARY SAN FRANCISCO CAMPUS*****XX*{SF_NPI}",
        "N3*1 MAIN ST",
        "N4*SAN FRANCISCO*CA*94110",
        "LX*1",
        "SV2*0450*HC:99283*500.00*UN*1",
        f"DTP*472*D8*{DOS.replace('-', '')}",
        "LX*2",
        "SV2*0300*HC:80053*100.00*UN*1",
        f"DTP*472*D8*{DOS.replace('-', '')}",
    ]
    return x12(header_loops("CI", OTHER_NPI, "94110") + claim, "005010X223A3")


def priced(t: Tenant, claim_id: str) -> dict[str, Any] | None:
    claim: dict[str, Any] = t.get("engine", f"/v1/claims/{claim_id}")
    return claim if claim["status"] == "priced" else None


def test_each_claim_is_priced_under_its_contract_at_its_locality(stack: Stack, new_tenant: Any) -> None:
    t: Tenant = new_tenant("matching")
    engine_cli(stack, "load-medicare", "--year", "2025", "--dir", str(PFS_2025))
    assert "4 ZIP codes" in engine_cli(stack, "load-zip-localities", "--file", str(ZIP_SAMPLE))

    # the contracting team records the organisation's locations, the payer and its three contracts
    t.put("registry", "/v1/organisation", profile())
    payer = t.post(
        "registry",
        "/v1/payers",
        {
            "name": "Acme Health Plan",
            "x12_payer_id": "60054",
            "plans": [
                {"name": "Acme PPO", "line_of_business": "commercial"},
                {"name": "Acme Medicare Advantage HMO", "line_of_business": "medicare_advantage"},
            ],
        },
    )
    professional = activate(
        t,
        contract(
            payer["id"],
            "Acme PPO professional",
            "commercial",
            {"claim_types": ["professional"], "provider_tins": ["12-3456789"]},
            medicare_term("150"),
            30,
        ),
    )
    facility = activate(
        t,
        contract(
            payer["id"],
            "Acme PPO outpatient facility",
            "commercial",
            {"claim_types": ["institutional"], "bill_types": ["13"]},
            FACILITY_TERM,
            45,
        ),
    )
    advantage = activate(
        t,
        contract(
            payer["id"],
            "Acme Medicare Advantage professional",
            "medicare_advantage",
            {"claim_types": ["professional"]},
            medicare_term("100"),
            14,
        ),
    )
    shown = t.get("registry", f"/v1/contracts/{facility}")["scope"]
    assert shown == {
        "claim_types": ["institutional"],
        "bill_types": ["13"],
        "provider_tins": [],
        "provider_npis": [],
    }

    # the engine learns the locations by event (organisation.updated), never by calling the registry
    held = eventually(
        "the engine holding the organisation's locations",
        lambda: t.get("engine", "/v1/locations")["items"],
    )
    assert {(loc["name"], loc["medicare_locality"], loc["cbsa"]) for loc in held} == {
        ("San Francisco campus", "01112-05", "41884"),
        ("Los Angeles clinic", "01182-18", None),
    }

    # a commercial office visit at the San Francisco campus: 150% x $109.15
    sf_visit = t.post(
        "engine",
        "/v1/claims",
        office_visit(
            "JSON-PPO-SF",
            line_of_business="commercial",
            place_of_service="11",
            billing_provider={"tin": "12-3456789"},
            service_facility={"npi": SF_NPI},
        ),
    )
    # a Medicare Advantage visit billed by the Los Angeles clinic: 100% x $98.19
    la_advantage = t.post(
        "engine",
        "/v1/claims",
        office_visit(
            "JSON-MA-LA",
            line_of_business="medicare_advantage",
            place_of_service="11",
            billing_provider={"npi": LA_NPI},
        ),
    )
    files = t.post("engine", "/v1/claims/x12", content=professional_837().encode())
    assert files["refused"] == []
    hospital = t.post("engine", "/v1/claims/x12", content=institutional_837().encode())
    assert hospital["refused"] == []
    x12_prof, x12_outpatient = files["claims"][0]["id"], hospital["claims"][0]["id"]

    a = eventually("the San Francisco commercial visit priced", lambda: priced(t, sf_visit["id"]))
    assert (a["contract_id"], a["expected_allowed"]) == (professional, "163.73")
    assert "'Acme PPO professional'" in a["explanation"]
    assert "line of business commercial, claim type professional, billing TIN 12-3456789" in a["explanation"]
    assert (
        f"Medicare locality 01112-05: location 'San Francisco campus' by the service facility NPI {SF_NPI}"
        in (a["explanation"])
    )

    b = eventually("the Los Angeles Medicare Advantage visit priced", lambda: priced(t, la_advantage["id"]))
    assert (b["contract_id"], b["expected_allowed"]) == (advantage, "98.19")
    assert f"location 'Los Angeles clinic' by the billing provider NPI {LA_NPI}" in b["explanation"]

    # 837P: rendered in Los Angeles (service facility ZIP 90012-1234), billed from Bakersfield's ZIP
    e = eventually("the 837P priced", lambda: priced(t, x12_prof))
    assert (e["contract_id"], e["expected_allowed"]) == (professional, "147.29")
    assert (
        "Medicare locality 01182-18: service facility ZIP 90012 in CMS's ZIP-to-locality file"
        in e["explanation"]
    )

    # 837I outpatient bill (TOB 0131): 60% x ($500.00 + $100.00), at the San Francisco campus's CBSA
    f = eventually("the 837I priced", lambda: priced(t, x12_outpatient))
    assert (f["contract_id"], f["expected_allowed"]) == (facility, "360.00")
    assert [line["expected_allowed"] for line in f["lines"]] == ["300.00", "60.00"]
    assert "claim type institutional, type of bill 13" in f["explanation"]
    assert (
        "Medicare locality 01112-05: location 'San Francisco campus' by the service facility NPI"
        in f["explanation"]
    )
    assert "CBSA 41884" in f["explanation"]

    # the tracker holds each claim to its own contract's prompt-pay days (received 2025-03-20):
    # commercial professional 30 days, Medicare Advantage 14; the 837I (received today) 45
    def prompt_pay(claim_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = t.get(
            "tracker", "/v1/obligations", claim_id=claim_id, kind="prompt_pay"
        )["items"]
        return items

    due = {
        claim_id: eventually(f"the prompt-pay deadline of {claim_id}", lambda c=claim_id: prompt_pay(c))[0]
        for claim_id in (sf_visit["id"], la_advantage["id"], x12_outpatient)
    }
    today = datetime.now(UTC).date()
    assert (due[sf_visit["id"]]["contract_id"], due[sf_visit["id"]]["due_date"]) == (
        professional,
        "2025-04-19",
    )
    assert (due[la_advantage["id"]]["contract_id"], due[la_advantage["id"]]["due_date"]) == (
        advantage,
        "2025-04-03",
    )
    assert (due[x12_outpatient]["contract_id"], due[x12_outpatient]["due_date"]) == (
        facility,
        (today + timedelta(days=45)).isoformat(),
    )

    # every contract is in the engine now: a claim that says neither plan nor line of business fits
    # the commercial and the Medicare Advantage professional contracts equally well
    vague = t.post(
        "engine",
        "/v1/claims",
        office_visit("JSON-VAGUE", place_of_service="11", service_facility={"npi": SF_NPI}),
    )
    assert vague["status"] == "needs_review"
    assert vague["expected_allowed"] is None
    reason = vague["status_reason"]
    assert reason.startswith("ambiguous contract on 2025-03-14")
    assert "'Acme PPO professional'" in reason and "'Acme Medicare Advantage professional'" in reason

    # naming the contract on the claim settles it: 100% x $109.15 in San Francisco
    named = t.post(
        "engine",
        "/v1/claims",
        office_visit(
            "JSON-NAMED", contract_id=advantage, place_of_service="11", service_facility={"npi": SF_NPI}
        ),
    )
    assert (named["status"], named["contract_id"], named["expected_allowed"]) == (
        "priced",
        advantage,
        "109.15",
    )
    assert "named on the claim" in t.get("engine", f"/v1/claims/{named['id']}")["explanation"]

    # a professional claim without a place of service is held, never priced at facility rates
    unplaced = t.post("engine", "/v1/claims", office_visit("JSON-NO-POS", line_of_business="commercial"))
    assert unplaced["status"] == "needs_review"
    assert unplaced["status_reason"].startswith("no place of service on line(s) 1 of a professional claim")
    waiting = t.get("engine", "/v1/claims", status="needs_review")["items"]
    assert {c["patient_control_number"] for c in waiting} == {"JSON-VAGUE", "JSON-NO-POS"}
