"""The re-pricing bench (benchmarks/retro_reprice.py) runs end to end on a small workload: the
registry and the engine as processes on SQLite and tansu; claims priced through the batch API, one
retroactive amendment through the registry, every claim re-priced under the new version in bounded
batches (4,100 claims: two batches of 2,000 and one of 100). It exits non-zero unless every claim is
at the new rate to the cent and no transaction re-priced them all. No timing is asserted: the figures are for people."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "retro_reprice.py"


@pytest.mark.timeout(900)  # the bench bounds its own waits and says which one ran out
def test_the_reprice_bench_runs_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--claims", "4100"], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for figure in (
        "Re-pricing after a retroactive amendment, SQLite + tansu, 4,100 claims",
        "initial pricing through the batch API (yardstick):",
        "every claim re-priced under version 2:",
        "had published their claim.priced after",
        "re-pricing / initial pricing (time, same run):",
        "CPU during the re-pricing: engine",
        "claims/s",
        "transactions: 3 batches, largest 2,000 claims",
        "claim.pricing_requested, commit -> consumed:",
        "[((2, Decimal('240.00')), 4100)]",
    ):
        assert figure in out, out
