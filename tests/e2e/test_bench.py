"""`make bench` runs end to end on a small workload: it starts a real engine server, checks that
the batch API prices the bench's claims exactly as the in-process bench does (it exits non-zero if
they disagree), and prints every figure. No timing is asserted: the figures are for people."""

from __future__ import annotations

import subprocess
import sys


def test_the_benchmark_runs_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reimbursement_engine.bench", "2000", "50", "--workers", "1", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for figure in (
        "cores: ",
        "in-process pricing (2,000 generated lines, CPU time): best ",
        "batch API (POST /v1/claims/batch",
        "the same claims and contract as in process",
        "batch API per engine CPU second: best ",
        "in-process / batch API (best to best): ",
        "835 ingest (POST /v1/remittances/x12, 50 claims, one file): ",
    ):
        assert figure in out, out
