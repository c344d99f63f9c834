"""The benchmark runs and reports a rate (no timing assertion: machines differ)."""

from reimbursement_engine.bench import pricing as bench


def test_bench_prices_generated_lines() -> None:
    assert bench.run(500) > 0
    assert sum(len(c.lines) for c in bench.generate_claims(12)) == 12
