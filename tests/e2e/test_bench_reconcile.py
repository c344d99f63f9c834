"""The realistic 835 bench (benchmarks/reconcile_835.py) runs end to end on a small workload: the
registry, engine and tracker as processes on SQLite and tansu; claims priced, one 835 paying them
at 90%, every variance on the worklist and every appeal deadline open, twice (two rounds, a new
stack each, the median printed in full). It exits non-zero if a round's worklist total is not
$20.00 a claim. No timing is asserted: the figures are for people."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "reconcile_835.py"


@pytest.mark.timeout(900)  # the bench bounds its own waits and says which one ran out
def test_the_835_bench_runs_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--claims", "40", "--rounds", "2"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for figure in (
        "round 1: ",
        "round 2: ",  # each on a new stack; the median round printed in full
        "835 reconciliation end to end, SQLite + tansu, 40 claims",
        "the median of 2 rounds",
        "upload answered (202, stored):",
        "every claim reconciled:",
        "every variance on the worklist:",
        "every appeal deadline open:",
        "claims/s",
        "/healthz during the upload:",
        "engine RSS:",
        "'matched': 40",
        "'classifications': {'underpaid': 40}",
        "worklist total 800.00",
    ):
        assert figure in out, out
