"""Reference data loaded while the engine runs is used from then on (issue 10 item 12): the
`load-medicare` CLI, a separate process, reloads CY2025 and the running engine prices with it."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from engine_helpers import (
    CMS_PFS_2025,
    Engine,
    claim_json,
    contract_event,
    line,
    medicare_term,
    new_org,
    start_engine,
)

D = Decimal
CLI = Path(sys.executable).parent / "reimbursement-engine"


def cms_folder(where: Path, work_rvu: str) -> Path:
    """A CMS CY2025 release folder with only 99213, its work RVU set to `work_rvu`."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copy(CMS_PFS_2025 / "gpci2025.csv", where / "gpci2025.csv")
    rows = (CMS_PFS_2025 / "pprrvu2025_oct.csv").read_text(encoding="utf-8-sig").splitlines()
    (row,) = [r for r in rows if r.startswith("99213,,")]
    fields = row.split(",")
    fields[4] = work_rvu
    (where / "pprrvu2025_oct.csv").write_text(rows[0] + "\n" + ",".join(fields) + "\n", encoding="utf-8")
    return where


async def load_medicare_cli(url: str, folder: Path) -> None:
    """`reimbursement-engine load-medicare` as its own process, as an operator runs it."""
    env = {**os.environ, "ACCORD_ENGINE_DATABASE_URL": url, "ACCORD_ENGINE_KAFKA_ENABLED": "false"}
    process = await asyncio.create_subprocess_exec(
        str(CLI),
        "load-medicare",
        "--year",
        "2025",
        "--dir",
        str(folder),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()


async def expected(engine: Engine, headers: dict[str, str], pcn: str) -> Decimal:
    body = claim_json(
        pcn, "60054", line("99213", "200.00", place_of_service="11"), medicare_locality="01112-54"
    )
    response = await engine.client.post("/v1/claims", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return D(response.json()["expected_allowed"])


async def test_a_medicare_year_reloaded_by_the_cli_prices_the_next_claims(
    postgres_server,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    if not (CMS_PFS_2025 / "pprrvu2025_oct.csv").exists():
        pytest.fail(f"CMS CY2025 files not found in {CMS_PFS_2025} (set ACCORD_SHARED_DATA)")
    url = await postgres_server.create_database_async(f"engine_reload_{uuid.uuid4().hex[:8]}")
    async with start_engine(url, kafka_bootstrap=None, medicare=False) as engine:
        org = new_org()
        headers = await engine.key(org)
        await engine.deliver(
            contract_event(org, str(uuid.uuid4()), "60054", payment_terms=[medicare_term("100")])
        )
        await load_medicare_cli(url, cms_folder(tmp_path / "first", "1.30"))
        # (1.30 x 1.017 + 1.35 x 1.093 + 0.10 x 0.662) x 32.3465 = 92.6355 -> $92.64 (Bakersfield)
        assert await expected(engine, headers, "PCN-BEFORE") == D("92.64")
        await load_medicare_cli(url, cms_folder(tmp_path / "corrected", "2.00"))
        # the running engine held CY2025; the reload is used without a restart:
        # (2.00 x 1.017 + 1.35 x 1.093 + 0.10 x 0.662) x 32.3465 = 115.6630 -> $115.66
        assert await expected(engine, headers, "PCN-AFTER") == D("115.66")
