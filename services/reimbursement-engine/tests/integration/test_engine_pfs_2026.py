"""CY2026 physician fee schedule on PostgreSQL (issue 12): two releases of the year loaded by the
`load-medicare` CLI as an operator runs it (the July one supersedes January's from July 1), CMS's
ZIP file by `load-zip-localities`, and a running engine pricing 2026 claims from the service
facility's ZIP.

Data: rows of CMS's CY2026 files copied into tests/unit/pricing/data/cms_pfs_2026/ (see its README),
and two rows of CMS's ZIP5_JAN2026.csv (US government work).
Rest of Texas 04412-99 (ZIP 75002): work GPCI 1.000 with the 1.0 floor, PE 0.949, MP 0.903; CF 33.4009.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
from decimal import Decimal
from pathlib import Path

from engine_helpers import claim_json, contract_event, line, medicare_term, new_org, start_engine

D = Decimal
CLI = Path(sys.executable).parent / "reimbursement-engine"
PFS_2026 = Path(__file__).parents[1] / "unit" / "pricing" / "data" / "cms_pfs_2026"
ZIP5 = (
    "STATE,ZIP CODE,CARRIER,LOCALITY,RURAL IND,LAB CB LOCALITY,RURAL IND2,PLUS 4 FLAG,"
    "PART B DRUG INDICATOR,YEAR/QTR\n"
    "TX,75002,04412,99,,Z9,,0,A,20261\n"
    "TX,78701,04412,31,,Z9,,0,A,20261\n"
)


async def cli(url: str, *args: str) -> tuple[int, str]:
    """`reimbursement-engine <args>` as its own process."""
    env = {**os.environ, "ACCORD_ENGINE_DATABASE_URL": url, "ACCORD_ENGINE_KAFKA_ENABLED": "false"}
    process = await asyncio.create_subprocess_exec(
        str(CLI), *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


def january_folder(where: Path) -> Path:
    """A January release for the test: the July files with 99213's work RVU at 1.00."""
    where.mkdir(parents=True)
    for name in ("GPCI2026.csv", "ANES2026.csv"):
        shutil.copy(PFS_2026 / name, where / name)
    text = (PFS_2026 / "PPRRVU2026_Jul_nonQPP.csv").read_text(encoding="utf-8")
    (where / "PPRRVU2026_Jan_nonQPP.csv").write_text(text.replace("99213,,A,,1.30,", "99213,,A,,1.00,"))
    return where


async def test_2026_claims_are_priced_from_the_release_in_force_at_the_zips_locality(
    postgres_server,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    url = await postgres_server.create_database_async(f"engine_pfs_{uuid.uuid4().hex[:8]}")
    async with start_engine(url, kafka_bootstrap=None, medicare=False) as engine:
        code, out = await cli(url, "load-medicare", "--year", "2026", "--dir", str(PFS_2026))
        assert code == 0, out
        assert "loaded Medicare CY2026 RVU26C (in force from 2026-07-01, conversion factor 33.4009)" in out
        assert "PPRRVU2026_Jul_nonQPP.csv: 18 rows read, 0 refused" in out
        january = january_folder(tmp_path / "jan")
        code, out = await cli(
            url, "load-medicare", "--year", "2026", "--dir", str(january), "--release", "RVU26A"
        )
        assert code == 0, out
        zips = tmp_path / "zip5.csv"
        zips.write_text(ZIP5)
        code, out = await cli(url, "load-zip-localities", "--file", str(zips))
        assert (code, out.strip()) == (0, "loaded CMS ZIP-to-locality file: 2 ZIP codes")

        org = new_org()
        headers = await engine.key(org)
        payment_terms = [medicare_term("100")]
        await engine.deliver(contract_event(org, str(uuid.uuid4()), "60054", payment_terms=payment_terms))

        def visit(pcn: str, day: str, code: str = "99213") -> dict[str, object]:
            at = {"zip_code": "75002"}
            return claim_json(
                pcn, "60054", line(code, "200.00", day), place_of_service="11", service_facility=at
            )

        cases = [
            # January release: (1.00 x 1.000 + 1.46 x 0.949 + 0.09 x 0.903) x 33.4009 = 82.3937
            (visit("MARCH", "2026-03-02"), "82.39", "RVU26A"),
            # July release from July 1: (1.30 + 1.46 x 0.949 + 0.09 x 0.903) x 33.4009 = 92.4139
            (visit("AUGUST", "2026-08-03"), "92.41", "RVU26C"),
            # (1.60 + 1.76 x 0.949 + 0.16 x 0.903) x 33.4009 = 114.0547
            (visit("NEW-PATIENT", "2026-08-03", "99203"), "114.05", "RVU26C"),
        ]
        for body, expected, release in cases:
            response = await engine.client.post("/v1/claims", json=body, headers=headers)
            claim = response.json()
            assert (claim["status"], claim["expected_allowed"]) == ("priced", expected), claim
            where = f"Medicare CY2026 {release} locality 04412-99 {body['lines'][0]['code']} non-facility"  # type: ignore[index]
            assert f"{where} (work GPCI 1.000 with the 1.0 floor, 0.991 without)" in claim["explanation"]
            assert (
                "Medicare locality 04412-99: service facility ZIP 75002 in CMS's ZIP-to-locality file"
                in (claim["explanation"])
            )


async def test_a_release_not_of_the_year_is_refused_naming_it(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = await postgres_server.create_database_async(f"engine_pfs_{uuid.uuid4().hex[:8]}")
    code, out = await cli(
        url, "load-medicare", "--year", "2026", "--dir", str(PFS_2026), "--release", "RVU25C"
    )
    assert (code, out.strip()) == (2, "error: release RVU25C is not of CY2026")
