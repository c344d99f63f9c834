"""`make bench` runs end to end on a small workload: it starts a real engine server, checks that
the batch API prices the bench's claims exactly as the in-process bench does (it exits non-zero if
they disagree), and prints every figure. No timing is asserted: the figures are for people."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("database", [[], ["--postgres"]], ids=["sqlite", "postgres"])
def test_the_benchmark_runs_and_prints_its_figures(database: list[str]) -> None:
    command = [sys.executable, "-m", "reimbursement_engine.bench", "2000", "50", "--workers", "1"]
    done = subprocess.run([*command, "--rounds", "1", *database], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for figure in (
        "cores: ",
        "in-process pricing (2,000 generated lines, CPU time): best ",
        "batch API (POST /v1/claims/batch",
        "the same claims and contract as in process",
        "batch API per engine CPU second: best ",
        "in-process / batch API (best to best): ",
        "835 ingest only (POST /v1/remittances/x12, 50 claims that match nothing, one file: ",
    ):
        assert figure in out, out
    if database:
        assert "PostgreSQL (local cluster, fsync off)" in out
        assert "engine + PostgreSQL per CPU second: best " in out
