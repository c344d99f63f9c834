"""The alternatives a variance is compared with are priced once a chunk for claims alike but for their
patient control number (handlers/root_causes._price_variants); any other difference prices again.
The pricing is a counting stand-in: this checks the handler's bookkeeping, not pricing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest
from reimbursement_engine.domain.pricing import Claim, ClaimLine, ContractTerms, MedicareReference
from reimbursement_engine.domain.root_causes import Alternative, AlternativePrice
from reimbursement_engine.handlers import root_causes

D = Decimal
TODAY = date(2026, 12, 3)
MEDICARE = cast(MedicareReference, object())


def claim(pcn: str, charge: str = "150.00", day: date = date(2026, 3, 14)) -> Claim:
    lines = (ClaimLine(1, "99213", D(1), D(charge), day), ClaimLine(2, "99214", D(1), D(charge), day))
    return Claim(pcn, "60054", day, day, lines)


@pytest.fixture
def priced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    calls: list[tuple[str, Any]] = []

    def price(c: Claim, terms: Any, medicare: Any, today: date) -> Any:
        calls.append((c.patient_control_number, terms))
        if terms == "unpriceable":
            raise ValueError("no rate")
        per_line = D(terms) * c.lines[0].charge / 100
        return SimpleNamespace(
            lines=[
                SimpleNamespace(
                    line_number=x.line_number,
                    expected_allowed=per_line,
                    status=SimpleNamespace(is_unpriced=False),
                )
                for x in c.lines
            ]
        )

    monkeypatch.setattr(root_causes, "price_claim", price)
    return calls


def variants(c: Claim, *terms: str) -> list[Any]:
    return [(Alternative.OTHER_VERSION, t, c, cast(ContractTerms, t), None) for t in terms]


def test_claims_alike_but_for_their_number_are_priced_once_under_each_alternative(
    priced: list[tuple[str, Any]],
) -> None:
    memo: dict[Any, Any] = {}
    first = root_causes._price_variants(variants(claim("K-1"), "90", "110"), MEDICARE, TODAY, memo)
    second = root_causes._price_variants(variants(claim("K-2"), "90", "110"), MEDICARE, TODAY, memo)

    assert (
        second
        == first
        == {
            1: [
                AlternativePrice(Alternative.OTHER_VERSION, D("135"), "90"),
                AlternativePrice(Alternative.OTHER_VERSION, D("165"), "110"),
            ],
            2: [
                AlternativePrice(Alternative.OTHER_VERSION, D("135"), "90"),
                AlternativePrice(Alternative.OTHER_VERSION, D("165"), "110"),
            ],
        }
    )
    assert priced == [("K-1", "90"), ("K-1", "110")]  # K-2 priced from what K-1 gave


def test_another_charge_date_or_terms_prices_again_and_a_failure_is_remembered(
    priced: list[tuple[str, Any]],
) -> None:
    memo: dict[Any, Any] = {}
    root_causes._price_variants(variants(claim("K-1"), "90"), MEDICARE, TODAY, memo)
    root_causes._price_variants(variants(claim("K-2", charge="160.00"), "90"), MEDICARE, TODAY, memo)
    root_causes._price_variants(variants(claim("K-3", day=date(2026, 3, 15)), "90"), MEDICARE, TODAY, memo)
    root_causes._price_variants(variants(claim("K-4"), "110"), MEDICARE, TODAY, memo)
    assert [pcn for pcn, _ in priced] == ["K-1", "K-2", "K-3", "K-4"]

    assert root_causes._price_variants(variants(claim("K-5"), "unpriceable"), MEDICARE, TODAY, memo) == {}
    assert root_causes._price_variants(variants(claim("K-6"), "unpriceable"), MEDICARE, TODAY, memo) == {}
    assert [pcn for pcn, _ in priced][-1] == "K-5"  # the failure is not tried again for K-6
    assert replace(claim("K-1"), patient_control_number="") == replace(
        claim("K-9"), patient_control_number=""
    )
