"""A large CSV import streams: read incrementally, inserted and published in batches.

Peak memory is measured with tracemalloc around the import (no wall-clock assertions). Holding the
rows would take far more than the bound (40,000 validated rows as objects are about 20 MB) and grow
with the file; streaming keeps the peak flat.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from accord_common.auth import Principal
from accord_common.testing.outbox import outbox_events
from contract_registry.adapters.orm import fee_schedule_rows
from contract_registry.handlers.fee_schedules import import_csv
from registry_helpers import CSV_HEADER, ok
from sqlalchemy import func, select

from conftest import Registry

ROWS = 40_000
PEAK_BOUND = 24 * 1024 * 1024


def write_schedule(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(CSV_HEADER)
        for i in range(rows):
            place = ("11", "22", "21")[i // 90_000]
            out.write(
                f"CPT,{10000 + i % 90_000},,{place},,unit,amount,{50 + i % 400}.{i % 100:02d},,2026-01-01,\n"
            )
    return path


async def _import_traced(registry: Registry, source: Path) -> tuple[str, int, list[tuple[str, int]]]:
    """Import `source`; the schedule id, the peak of traced memory and the progress reported."""
    who = Principal("test", registry.org_a, "alice@st-mary", frozenset({"contracts:write"}))
    phases: list[tuple[str, int]] = []
    tracemalloc.start()
    try:
        with source.open(encoding="utf-8", newline="") as lines:
            result = await import_csv(
                registry.runtime.uow(), who, lines, name="large", progress=lambda p, n: phases.append((p, n))
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.schedule is not None and result.report.error_count == 0
    return result.schedule.schedule_id, peak, phases


@pytest.mark.timeout(900)  # tracemalloc slows the import several times over on a busy machine
async def test_a_large_import_streams_with_flat_memory(registry: Registry, tmp_path: Path) -> None:
    """Four times the rows, about the same peak: rows are read, inserted and published in batches."""
    _, small_peak, _ = await _import_traced(registry, write_schedule(tmp_path / "small.csv", ROWS // 4))
    sid, peak, phases = await _import_traced(registry, write_schedule(tmp_path / "large.csv", ROWS))
    assert peak < PEAK_BOUND, f"peak {peak / 1e6:.1f} MB"
    assert peak < small_peak * 1.5, (
        f"peak {peak / 1e6:.1f} MB for {ROWS:,} rows, {small_peak / 1e6:.1f} MB for a quarter"
    )
    assert [n for p, n in phases if p == "imported"][:3] == [1000, 2000, 3000]  # batch by batch
    async with registry.runtime.sessions() as session:
        stored = await session.scalar(select(func.count()).where(fee_schedule_rows.c.schedule_id == sid))
        chunks = len(await outbox_events(session, registry.runtime.metadata.tables["outbox"], key=sid))
    assert (stored, chunks) == (ROWS, ROWS // 1000)
    schedule = ok(await registry.a.get(f"/v1/fee-schedules/{sid}"))
    assert schedule["row_count"] == ROWS


def test_the_cli_imports_a_file_and_shows_progress(registry: Registry, tmp_path: Path) -> None:
    source = write_schedule(tmp_path / "cli.csv", 2_500)
    env = {**os.environ, "ACCORD_REGISTRY_DATABASE_URL": registry.settings.database_url}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "contract_registry.cli",
            "import-fee-schedule",
            str(source),
            "--org",
            registry.org_a,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "imported 2,000 rows" in done.stderr and "published" in done.stderr
    assert done.stdout.startswith("imported 2500 rows as fee schedule ")
