"""The stored explanation (adapters.explanation_text: compiled templates, remembered money text) is
the domain's `PricedClaim.explain()` character for character. Every pricing test checks it through
`pricing_builders.assert_explained`; here the bench's claims (fee schedule, percent of Medicare,
multiple-procedure reduction, lesser of, escalator) and templates of every shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.adapters import explanation_text
from reimbursement_engine.bench import pricing as bench
from reimbursement_engine.domain.pricing import price_claim
from reimbursement_engine.domain.pricing.explanation import Step, StepKind


def test_the_bench_claims_read_the_same() -> None:
    contract, medicare = bench.bench_contract(), bench.medicare_reference()
    for claim in bench.generate_claims(400):
        priced = price_claim(claim, contract, medicare, date(2025, 4, 1))
        assert explanation_text.explain(priced) == priced.explain()


@pytest.mark.parametrize(
    ("template", "args", "amount", "expected"),
    [
        (
            "fee schedule rate {0} x {1} units",
            ("$90.00", Decimal("2")),
            Decimal("180.00"),
            "base: fee schedule rate $90.00 x 2 units = $180.00",
        ),
        ("{0:.2f} of {1!r}", (Decimal("1.5"), "code"), None, "base: 1.50 of 'code'"),
        ("literal {{braces}} and {0}", ("x",), None, "base: literal {braces} and x"),
        ("named {who}", (), None, "base: named {who}"),  # no args: the template as it is
        ("nested spec {0:{1}}", (Decimal("3.14159"), ".2f"), None, "base: nested spec 3.14"),
        ("negative", (), Decimal("-386.13"), "base: negative = -$386.13"),
    ],
)
def test_every_template_shape_reads_the_same(
    template: str, args: tuple[object, ...], amount: Decimal | None, expected: str
) -> None:
    step = Step(StepKind.BASE, template, args, amount)
    assert str(step) == expected
    assert explanation_text.render_step(step) == expected


def test_money_text_is_remembered_by_value_and_bounded() -> None:
    assert explanation_text.money(Decimal("95.480000")) == "$95.48"
    assert explanation_text.money(Decimal("95.48")) == "$95.48"  # equal values read the same
    for cents in range(explanation_text._LIMIT + 500):
        assert explanation_text.money(Decimal(cents) / 100) == f"${cents // 100:,}.{cents % 100:02d}"
    assert len(explanation_text._MONEY_TEXT) <= explanation_text._LIMIT


def test_units_read_the_same_whether_submitted_or_as_stored() -> None:
    """A claim re-priced from the database carries units as stored (1.00): its explanation says
    "1 unit(s)", as when it was first priced (units 1); fee schedule and percent of Medicare alike."""
    from dataclasses import replace

    contract, medicare = bench.bench_contract(), bench.medicare_reference()
    for claim in bench.generate_claims(20):
        texts = []
        for units in (Decimal("1"), Decimal("1.00")):
            lines = tuple(replace(line, units=units) for line in claim.lines)
            texts.append(
                price_claim(replace(claim, lines=lines), contract, medicare, date(2025, 4, 1)).explain()
            )
        assert texts[0] == texts[1]
        assert "1.00 unit(s)" not in texts[1] and " x 1 unit(s)" in texts[1]
