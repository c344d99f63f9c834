"""The 835 generator: valid, balancing output, and fast parsing of a large file."""

from __future__ import annotations

import pytest
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.domain.x12 import check_balancing, parse_835, validate_835


@pytest.mark.parametrize(
    ("n_claims", "lines_per_claim", "provider_adjustment"),
    [(0, 1, True), (1, 1, False), (25, 3, True), (200, 2, True)],
)
def test_generated_835s_parse_and_balance(
    n_claims: int, lines_per_claim: int, provider_adjustment: bool
) -> None:
    text = generate_835(n_claims, lines_per_claim=lines_per_claim, provider_adjustment=provider_adjustment)

    remittance = parse_835(text)

    assert len(remittance.claims) == n_claims
    assert all(len(c.lines) == lines_per_claim for c in remittance.claims)
    assert len(remittance.transactions[0].provider_adjustments) == (2 if provider_adjustment else 0)
    assert validate_835(remittance) == []


def test_the_generator_is_deterministic_per_seed() -> None:
    assert generate_835(5, seed=7) == generate_835(5, seed=7)
    assert generate_835(5, seed=7) != generate_835(5, seed=8)


def test_ten_thousand_claims_parse_and_balance() -> None:
    """Speed is measured by `make bench`, not asserted here."""
    remittance = parse_835(generate_835(10_000))

    assert len(remittance.claims) == 10_000
    assert check_balancing(remittance) == []
