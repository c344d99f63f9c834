"""Medicare reference files loaded over HTTP (admin scope) with their report, used by the running
engine from the next claim: an ASC quarter supersedes the one before from its effective date, and
the physician fee schedule's files load through the same endpoint."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine_helpers import Engine, claim_json, contract_event, line, new_org, start_engine, term

D = Decimal
HERE = Path(__file__).parent
ASC = HERE.parent / "unit" / "pricing" / "data" / "cms" / "asc" / "2025"
PFS = HERE / "data" / "cms-pfs-2025"
ADMIN = {"admin"}


async def upload(engine: Engine, headers: dict[str, str], path: str, file: Path, on: str) -> Any:
    params = {"effective_on": on, "filename": file.name}
    content = await asyncio.to_thread(file.read_bytes)
    return await engine.client.post(path, content=content, params=params, headers=headers)


async def price(engine: Engine, headers: dict[str, str], pcn: str, code: str, on: str) -> dict[str, Any]:
    body = claim_json(pcn, "60054", line(code, "3000.00", on), place_of_service="24")
    response = await engine.client.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 201, response.text
    claim: dict[str, Any] = response.json()
    return claim


async def test_an_asc_quarter_loaded_while_running_prices_the_next_claims(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = await postgres_server.create_database_async(f"engine_sched_{uuid.uuid4().hex[:8]}")
    async with start_engine(url, kafka_bootstrap=None, medicare=False) as engine:
        org = new_org()
        headers = await engine.key(org, ADMIN)
        asc_term = term(
            "surgery", {"kind": "percent_of_medicare", "percent": "100", "basis": "ASC"}, ("CPT", None, None)
        )
        await engine.deliver(contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[asc_term]))

        before = await price(engine, headers, "PCN-NONE", "0446T", "2025-05-01")
        assert before["expected_allowed"] == "0.00"
        assert (
            before["lines"][0]["unpriced_reason"] == "no Medicare ASC release loaded in force on 2025-05-01"
        )

        january = await upload(
            engine, headers, "/v1/reference/medicare/asc/AA", ASC / "20250101" / "AA.csv", "2025-01-01"
        )
        assert january.status_code == 200, january.text
        report = january.json()
        assert (report["rows_read"], report["rows_loaded"], report["refused"]) == (13, 13, [])
        assert report["outcome"] == "ASC AA in force from 2025-01-01: 13 rows loaded"
        # January's rate until April's release is loaded
        assert (await price(engine, headers, "PCN-JAN", "0446T", "2025-05-01"))[
            "expected_allowed"
        ] == "981.09"

        april = await upload(
            engine, headers, "/v1/reference/medicare/ASC/AA", ASC / "20250401" / "AA.csv", "2025-04-01"
        )
        assert april.status_code == 200, april.text
        assert (await price(engine, headers, "PCN-APR", "0446T", "2025-05-01"))[
            "expected_allowed"
        ] == "1744.96"
        # a date before April's effective date keeps January's rate
        assert (await price(engine, headers, "PCN-MAR", "0446T", "2025-03-31"))[
            "expected_allowed"
        ] == "981.09"


async def test_loads_are_refused_clearly(engine: Engine) -> None:
    org = new_org()
    admin, reader = await engine.key(org, ADMIN), await engine.key(org, {"claims:read"})
    aa = ASC / "20250101" / "AA.csv"
    forbidden = await upload(engine, reader, "/v1/reference/medicare/asc/AA", aa, "2025-01-01")
    assert forbidden.status_code == 403
    unknown = await upload(engine, admin, "/v1/reference/medicare/asc/ZZ", aa, "2025-01-01")
    assert unknown.status_code == 404 and "ASC has no part 'ZZ'" in unknown.json()["detail"]
    wrong = await upload(engine, admin, "/v1/reference/medicare/opps/B", aa, "2025-01-01")
    assert wrong.status_code == 422 and "no column 'si'" in wrong.json()["detail"]
    assert wrong.headers["content-type"].startswith("application/problem+json")


async def test_the_physician_fee_schedule_loads_through_the_same_endpoint(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = await postgres_server.create_database_async(f"engine_pfs_{uuid.uuid4().hex[:8]}")
    async with start_engine(url, kafka_bootstrap=None, medicare=False) as engine:
        org = new_org()
        headers = await engine.key(org, ADMIN)
        rvu = await upload(
            engine, headers, "/v1/reference/medicare/pfs/RVU", PFS / "pprrvu2025_oct.csv", "2025-01-01"
        )
        assert rvu.status_code == 200, rvu.text
        assert rvu.json()["outcome"] == "held; the PFS CY2025 loads when its GPCI file(s) are loaded too"
        gpci = await upload(
            engine, headers, "/v1/reference/medicare/pfs/GPCI", PFS / "gpci2025.csv", "2025-01-01"
        )
        assert gpci.status_code == 200, gpci.text
        assert gpci.json()["outcome"] == (
            "loaded PFS CY2025: 1 RVU rows, 109 localities, 0 OPPS caps, 0 anesthesia conversion factors"
        )
        pfs_term = term(
            "professional", {"kind": "percent_of_medicare", "percent": "100"}, ("CPT", None, None)
        )
        await engine.deliver(contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[pfs_term]))
        body = claim_json("PCN-PFS", "60054", line("99213", "200.00"), place_of_service="11")
        response = await engine.client.post("/v1/claims", json=body, headers=headers)
        # national 99213 non-facility: 2.75 RVU x 32.3465 = $88.95
        assert response.json()["expected_allowed"] == "88.95"
