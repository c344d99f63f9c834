"""A 2026 professional claim in Texas priced from CMS's CY2026 physician fee schedule (issue 12).

An orthopaedic practice in Allen, Texas (ZIP 75002, CMS locality 04412-99 Rest of Texas) holds a
professional contract with Lone Star Health at 150% of Medicare. The operator loads CMS's CY2026
files (the July 2026 release RVU26C, January 2026 GPCIs) and CMS's ZIP-to-locality rows with the
engine's CLI; the contracting team keys the contract in the registry (it reaches the engine over
Kafka); billing sends an 837P for a visit on 3 August 2026 with bilateral knee injections (20610-50)
and a debridement (11042-51). No location is on file: the locality comes from the service
facility's ZIP.

Medicare, Rest of Texas (work GPCI 1.000 with the 1.0 floor, PE 0.949, MP 0.903; CF 33.4009):
  99203 (1.60 + 1.76 x 0.949 + 0.16 x 0.903) x 33.4009 = 114.0547 -> $114.05
  20610 (0.77 + 1.16 x 0.949 + 0.13 x 0.903) x 33.4009 = 66.4146 -> $66.41; modifier 50,
        BILAT SURG 1: 150% = $99.615 -> $99.62
  11042 (0.98 + 2.86 x 0.949 + 0.13 x 0.903) x 33.4009 = 127.3102 -> $127.31
At 150%: 99203 $171.075 -> $171.08; 20610-50 $149.43; 11042-51 $190.965 -> $190.97.
Modifier 51 (MULT PROC 2 on both): 11042 ($127.31 Medicare) ranks first at 100%; 20610-50 ($99.62)
second at 50%: $149.43 - $74.715 (-> $74.72) = $74.71. Claim: $171.08 + $74.71 + $190.97 = $436.76.
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

ROOT = Path(__file__).resolve().parents[2]
PFS_2026 = ROOT.parent / "shared" / "data" / "cms-pfs-2026"
ZIP_SAMPLE = Path(__file__).with_name("data") / "cms_zip5_texas_sample.csv"
PAYER_ID = "LSTAR1"
BILLING_NPI = "1234567893"


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


def professional_contract(payer_id: str) -> dict[str, Any]:
    return {
        "payer_id": payer_id,
        "name": "Lone Star PPO professional 2026",
        "line_of_business": "commercial",
        "effective_date": "2026-01-01",
        "termination_date": "2026-12-31",
        "notice_days": 90,
        "appeal_window_days": 180,
        "prompt_pay_days": 30,
        "payment_terms": [
            {
                "name": "Professional services",
                "service_category": "professional",
                "matcher": {"ranges": [{"code_system": "CPT", "first": "10000", "last": "99499"}]},
                "methodology": {"kind": "percent_of_medicare", "percent": "150"},
            }
        ],
    }


def claim_837() -> bytes:
    """One 837P: billed from the practice (2010AA), rendered at its Allen office (2310C by ZIP)."""
    segments = [
        "BHT*0019*00*0001*20260805*1200*CH",
        "NM1*41*2*ALLEN ORTHOPAEDICS*****46*ALLENORTHO",
        "PER*IC*BILLING OFFICE*TE*9725550100",
        f"NM1*40*2*LONE STAR HEALTH*****46*{PAYER_ID}",
        "HL*1**20*1",
        f"NM1*85*2*ALLEN ORTHOPAEDICS*****XX*{BILLING_NPI}",
        "N3*100 MAIN ST",
        "N4*ALLEN*TX*75002",
        "REF*EI*741234567",
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*DOE*JOHN****MI*MEMBER2026",
        f"NM1*PR*2*LONE STAR HEALTH*****PI*{PAYER_ID}",
        "CLM*PFS-2026-TX*1150.00***11:B:1*Y*A*Y*Y",
        "HI*ABK:M1711",
        "NM1*77*2*ALLEN ORTHOPAEDICS OFFICE",
        "N3*100 MAIN ST",
        "N4*ALLEN*TX*750021234",
        "LX*1",
        "SV1*HC:99203:25*250.00*UN*1***1",
        "DTP*472*D8*20260803",
        "LX*2",
        "SV1*HC:20610:50*400.00*UN*1***1",
        "DTP*472*D8*20260803",
        "LX*3",
        "SV1*HC:11042:51*500.00*UN*1***1",
        "DTP*472*D8*20260803",
    ]
    isa = (
        "ISA*00*          *00*          *ZZ*ALLENORTHO     *ZZ*LONESTAR       *260805*1200*^*00501"
        "*000002026*0*T*:"
    )
    body = ["ST*837*0001*005010X222A2", *segments]
    envelope = [
        isa,
        "GS*HC*ALLENORTHO*LONESTAR*20260805*1200*2026*X*005010X222A2",
        *body,
        f"SE*{len(body) + 1}*0001",
        "GE*1*2026",
        "IEA*1*000002026",
    ]
    return ("~\n".join(envelope) + "~\n").encode()


def priced(t: Tenant, claim_id: str) -> dict[str, Any] | None:
    claim: dict[str, Any] = t.get("engine", f"/v1/claims/{claim_id}")
    return claim if claim["status"] == "priced" else None


def test_a_2026_texas_claim_is_priced_from_the_cy2026_schedule(stack: Stack, new_tenant: Any) -> None:
    t: Tenant = new_tenant("pfs2026")
    loaded = engine_cli(stack, "load-medicare", "--year", "2026", "--dir", str(PFS_2026))
    assert "loaded Medicare CY2026 RVU26C (in force from 2026-07-01, conversion factor 33.4009)" in loaded
    assert "PPRRVU2026_Jul_nonQPP.csv: 19356 rows read, 0 refused" in loaded
    assert "GPCI2026.csv: 109 rows read, 0 refused" in loaded
    assert "6 ZIP codes" in engine_cli(stack, "load-zip-localities", "--file", str(ZIP_SAMPLE))

    payer = t.post("registry", "/v1/payers", {"name": "Lone Star Health", "x12_payer_id": PAYER_ID})
    contract = t.post("registry", "/v1/contracts", professional_contract(payer["id"]))
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{contract['id']}/{step}", {})

    # the claim may arrive before the activated version does (over Kafka): it waits, then is priced
    files = t.post("engine", "/v1/claims/x12", content=claim_837())
    assert files["refused"] == []
    claim = eventually("the 837P priced", lambda: priced(t, files["claims"][0]["id"]), timeout=120)

    assert claim["contract_id"] == contract["id"]
    assert [(ln["code"], ln["modifiers"], ln["expected_allowed"]) for ln in claim["lines"]] == [
        ("99203", "25", "171.08"),
        ("20610", "50", "74.71"),
        ("11042", "51", "190.97"),
    ]
    assert claim["expected_allowed"] == "436.76"
    explanation = claim["explanation"]
    assert (
        "Medicare locality 04412-99: service facility ZIP 75002 in CMS's ZIP-to-locality file" in explanation
    )
    assert (
        "150% x Medicare CY2026 RVU26C locality 04412-99 99203 non-facility (work GPCI 1.000 with the 1.0 "
        "floor, 0.991 without) $114.05 x 1 unit(s)" in explanation
    ), explanation
    assert (
        "20610 non-facility (work GPCI 1.000 with the 1.0 floor, 0.991 without) $66.41, modifier 50, "
        "BILAT SURG indicator 1: 150% of the fee schedule amount = $99.62 x 1 unit(s)" in explanation
    )
    assert (
        "modifier 51, MULT PROC indicator 2: Medicare multiple procedure rule, ranked by Medicare amount "
        "#2 at 50% of 2 procedures" in explanation
    )
    assert "#1 at 100% of 2 procedures" in explanation
