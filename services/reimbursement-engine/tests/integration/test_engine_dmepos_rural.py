"""DMEPOS rural / non-rural amounts by where the beneficiary lives, on PostgreSQL (issue 12).

An operator loads the DMEPOS January 2026 fee schedule over HTTP and CMS's ZIP5 file with the
`load-zip-localities` CLI; a DME supplier in Dallas (Rest of Texas) bills CPAP rentals (E0601-RR)
at 100% of Medicare DMEPOS. The beneficiary's ZIP (JSON `beneficiary_zip`; 837P N403 of loop 2010CA,
else 2010BA) picks the state and the rural column. Figures from the copied rows of DMEPOS26_JAN.csv
and ZIP5_JAN2026.csv (tests/unit/pricing/data/cms, US government work):
E0601-RR TX (NR) $50.91, TX (R) $91.52, OK (R) $97.02; 76801 Brownwood TX R, 79843 Marfa TX B,
75201 Dallas TX urban, 74401 Muskogee OK R.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from engine_helpers import Engine, claim_json, contract_event, line, new_org, start_engine, term

CLI = Path(sys.executable).parent / "reimbursement-engine"
CMS = Path(__file__).parents[1] / "unit" / "pricing" / "data" / "cms"
PFS_2026 = CMS.parent / "cms_pfs_2026"  # its GPCI file names the state of a locality (the fallback)
DME_TERM = term(
    "dme", {"kind": "percent_of_medicare", "percent": "100", "basis": "DMEPOS"}, ("HCPCS", None, None)
)
TEXAS = "04412-99"


async def cli(url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "ACCORD_ENGINE_DATABASE_URL": url, "ACCORD_ENGINE_KAFKA_ENABLED": "false"}
    process = await asyncio.create_subprocess_exec(
        str(CLI), *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def load_references(engine: Engine, url: str, org: str) -> None:
    admin = await engine.key(org, {"admin"})
    file = CMS / "dmepos" / "DMEPOS26_JAN.csv"
    response = await engine.client.post(
        "/v1/reference/medicare/dmepos/DMEPOS",
        content=file.read_bytes(),
        params={"effective_on": "2026-01-01", "filename": file.name},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    code, out = await cli(url, "load-zip-localities", "--file", str(CMS / "zip5" / "ZIP5_JAN2026.csv"))
    assert (code, out.strip()) == (0, "loaded CMS ZIP-to-locality file: 6 ZIP codes")


def cpap(pcn: str, **extra: Any) -> dict[str, Any]:
    rental = line("E0601", "120.00", "2026-02-09", modifiers=["RR"])
    return claim_json(pcn, "60054", rental, place_of_service="12", medicare_locality=TEXAS, **extra)


def x12_837p(*loops: list[str]) -> str:
    body = [
        "ST*837*0001*005010X222A2",
        "BHT*0019*00*0001*20260212*1200*CH",
        "NM1*41*2*DALLAS HOME MEDICAL*****46*DHM",
        "PER*IC*BILLING*TE*2145550100",
        "NM1*40*2*ACME HEALTH PLAN*****46*60054",
        "HL*1**20*1",
        "NM1*85*2*DALLAS HOME MEDICAL*****XX*1234567893",
        "N3*1 ELM ST",
        "N4*DALLAS*TX*75201",
        "REF*EI*987654321",
    ]
    for loop in loops:
        body += loop
    isa = "ISA*00*          *00*          *ZZ*DHM            *ZZ*ACME           *260212*1200*^*00501*000000401*0*T*:"
    end = [f"SE*{len(body) + 1}*0001", "GE*1*401", "IEA*1*000000401"]
    return "~\n".join([isa, "GS*HC*DHM*ACME*20260212*1200*401*X*005010X222A2", *body, *end]) + "~\n"


def subscriber(hl: int, zip_code: str, *, patient_zip: str | None = None) -> list[str]:
    child = patient_zip is not None
    loop = [
        f"HL*{hl}*1*22*{int(child)}",
        "SBR*P*18*******CI",
        f"NM1*IL*1*DOE*JANE****MI*M{hl}",
        "N3*2 OAK ST",
        f"N4*SOMEWHERE*TX*{zip_code}",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*60054",
    ]
    if child:
        loop += [
            f"HL*{hl + 1}*{hl}*23*0",
            "PAT*19",
            "NM1*QC*1*DOE*JOHN",
            "N3*3 PINE ST",
            f"N4*MARFA*TX*{patient_zip}",
        ]
    return loop


def claim_loop(pcn: str) -> list[str]:
    return [
        f"CLM*{pcn}*120.00***12:B:1*Y*A*Y*Y",
        "HI*ABK:G4733",
        "LX*1",
        "SV1*HC:E0601:RR*120.00*UN*1***1",
        "DTP*472*D8*20260209",
    ]


async def stored(engine: Engine, headers: dict[str, str], claim_id: str) -> dict[str, Any]:
    response = await engine.client.get(f"/v1/claims/{claim_id}", headers=headers)
    assert response.status_code == 200, response.text
    claim: dict[str, Any] = response.json()
    return claim


async def test_dmepos_takes_the_beneficiary_s_state_and_rural_amount(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = await postgres_server.create_database_async(f"engine_rural_{uuid.uuid4().hex[:8]}")
    async with start_engine(url, kafka_bootstrap=None, medicare=True) as engine:
        org = new_org()
        headers = await engine.key(org)
        await load_references(engine, url, org)
        code, out = await cli(url, "load-medicare", "--year", "2026", "--dir", str(PFS_2026))
        assert code == 0, out
        # sent before the contract: held pending, priced from the stored claim when it arrives
        held = (
            await engine.client.post(
                "/v1/claims", json=cpap("HELD", beneficiary_zip="76801"), headers=headers
            )
        ).json()
        assert held["status"] == "pending", held
        await engine.deliver(contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[DME_TERM]))
        repriced = await stored(engine, headers, held["id"])
        assert (repriced["status"], repriced["expected_allowed"]) == ("priced", "91.52"), repriced
        assert (
            "DMEPOS state and rural / non-rural: beneficiary ZIP 76801 in TX, rural (RURAL IND R) in CMS's ZIP5 file"
            in repriced["explanation"]
        )
        assert "DMEPOS January 2026 E0601-RR TX (R): $91.52" in repriced["explanation"]
        assert repriced["flags"] == []

        cases = [
            (
                "URBAN",
                "75201-1234",
                "50.91",
                "beneficiary ZIP 75201 in TX, urban (RURAL IND blank)",
                "TX (NR)",
            ),
            ("OKLAHOMA", "74401", "97.02", "beneficiary ZIP 74401 in OK, rural (RURAL IND R)", "OK (R)"),
        ]
        for pcn, zip_code, expected, area, column in cases:
            response = await engine.client.post(
                "/v1/claims", json=cpap(pcn, beneficiary_zip=zip_code), headers=headers
            )
            claim = response.json()
            assert (claim["status"], claim["expected_allowed"]) == ("priced", expected), claim
            assert f"DMEPOS state and rural / non-rural: {area} in CMS's ZIP5 file" in claim["explanation"]
            assert f"DMEPOS January 2026 E0601-RR {column}: ${expected}" in claim["explanation"]

        # no ZIP: the claim's locality's state (Rest of Texas), non-rural, flagged
        unknown = (await engine.client.post("/v1/claims", json=cpap("NO-ZIP"), headers=headers)).json()
        why = "no beneficiary ZIP on the claim: state TX of the claim's Medicare locality, non-rural assumed"
        assert (unknown["expected_allowed"], unknown["flags"]) == ("50.91", [f"line 1 E0601: DMEPOS: {why}"])

        bad = await engine.client.post(
            "/v1/claims", json=cpap("BAD", beneficiary_zip="7680"), headers=headers
        )
        assert bad.status_code == 422, bad.text
        assert bad.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in bad.json()["errors"]] == ["beneficiary_zip"]
        assert "'7680' is not a 5-digit ZIP or ZIP+4" in bad.json()["errors"][0]["message"]
        listed = (await engine.client.get("/v1/claims", headers=headers)).json()
        assert "BAD" not in {c["patient_control_number"] for c in listed["items"]}


async def test_an_837p_gives_the_patient_s_zip_else_the_subscriber_s(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = await postgres_server.create_database_async(f"engine_rural_{uuid.uuid4().hex[:8]}")
    async with start_engine(url, kafka_bootstrap=None, medicare=True) as engine:
        org = new_org()
        headers = await engine.key(org)
        await load_references(engine, url, org)
        await engine.deliver(contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[DME_TERM]))
        upload = x12_837p(
            subscriber(2, "76801"),  # 2010BA: Brownwood, rural
            claim_loop("SUBSCRIBER-RURAL"),
            subscriber(3, "75201", patient_zip="798431234"),  # 2010CA: Marfa, super rural
            claim_loop("PATIENT-SUPER-RURAL"),
            subscriber(5, "75201"),  # 2010BA: Dallas, urban
            claim_loop("SUBSCRIBER-URBAN"),
        )
        response = await engine.client.post("/v1/claims/x12", content=upload, headers=headers)
        assert response.status_code == 200, response.text
        out = response.json()
        assert out["refused"] == []
        expected = {
            "SUBSCRIBER-RURAL": ("91.52", "beneficiary ZIP 76801 in TX, rural (RURAL IND R)"),
            "PATIENT-SUPER-RURAL": ("91.52", "beneficiary ZIP 79843 in TX, super rural (RURAL IND B)"),
            "SUBSCRIBER-URBAN": ("50.91", "beneficiary ZIP 75201 in TX, urban (RURAL IND blank)"),
        }
        for summary in out["claims"]:
            amount, area = expected[summary["patient_control_number"]]
            claim = await stored(engine, headers, summary["id"])
            assert (claim["status"], claim["expected_allowed"]) == ("priced", amount), claim
            assert f"DMEPOS state and rural / non-rural: {area} in CMS's ZIP5 file" in claim["explanation"]
        assert len(out["claims"]) == 3
