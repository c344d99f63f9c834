"""Which locality's GPCIs price a % of Medicare line: stated on the claim, then the term's own,
then the organisation's location that rendered the service (issue 10 item 8), else national."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pricing_builders import claim, contract, cpt, line, price
from reimbursement_engine.domain.pricing import LocalityKey, MedicareReference, PaymentTerm, PercentOfMedicare

SF, LA, BAKERSFIELD = LocalityKey("01112", "05"), LocalityKey("01182", "18"), LocalityKey("01112", "54")


@pytest.mark.parametrize(
    ("stated", "term_locality", "site", "expected", "source"),
    [
        # 99213 non-facility CY2025, 100%: San Francisco $109.15, Los Angeles $98.19, national $88.95
        (None, None, SF, "109.15", "locality 01112-05"),
        (None, None, None, "88.95", "national"),
        (LA, None, SF, "98.19", "locality 01182-18"),  # stated on the claim wins
        (None, LA, SF, "98.19", "locality 01182-18"),  # the contract's own locality wins over the site
        # Bakersfield (1.30 x 1.017 + 1.35 x 1.093 + 0.10 x 0.662) x 32.3465 = $92.64
        (BAKERSFIELD, LA, SF, "92.64", "locality 01112-54"),
    ],
)
def test_the_locality_that_prices_a_line(
    medicare: MedicareReference,
    stated: LocalityKey | None,
    term_locality: LocalityKey | None,
    site: LocalityKey | None,
    expected: str,
    source: str,
) -> None:
    term = PaymentTerm(
        "professional", cpt("E/M", "99202-99215"), PercentOfMedicare(Decimal(100), term_locality)
    )
    priced = price(
        claim(line("99213"), medicare_locality=stated, site_locality=site), contract(term), medicare
    )
    (result,) = priced.lines
    assert result.expected_allowed == Decimal(expected)
    assert source in result.steps[1].text
    assert any("national GPCIs used" in f for f in result.flags) is (source == "national")
