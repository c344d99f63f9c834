"""Small builders for pricing tests (claims, lines, categories, contracts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from reimbursement_engine.adapters import explanation_store, explanation_text
from reimbursement_engine.adapters.explanation_store import StoredExplanation
from reimbursement_engine.domain.pricing import (
    Claim,
    ClaimLine,
    CodeSystem,
    ContractTerms,
    MedicareReference,
    PaymentTerm,
    PricedClaim,
    ServiceCategory,
    codes,
    price_claim,
)

DOS = date(2025, 3, 14)
AS_OF = date(2025, 4, 1)
NO_MEDICARE = MedicareReference(years={})
D = Decimal


def line(code: str, charge: str = "500.00", units: str = "1", n: int = 1, **kw: Any) -> ClaimLine:
    kw.setdefault("service_date", DOS)
    return ClaimLine(n, code, Decimal(units), Decimal(charge), **kw)


def rev(code: str, charge: str = "500.00", units: str = "1", n: int = 1, **kw: Any) -> ClaimLine:
    return line(code, charge, units, n, code_system=CodeSystem.REVENUE, **kw)


def numbered(*lines: ClaimLine) -> tuple[ClaimLine, ...]:
    """Renumber lines 1..n in the order given."""
    return tuple(
        ClaimLine(
            i,
            ln.code,
            ln.units,
            ln.charge,
            ln.service_date,
            ln.code_system,
            ln.modifiers,
            ln.revenue_code,
            ln.place_of_service,
            ln.invoice_cost,
        )
        for i, ln in enumerate(lines, start=1)
    )


def claim(*lines: ClaimLine, pos: str | None = "11", **kw: Any) -> Claim:
    return Claim("PCN-1", "PAYER-1", DOS, DOS, numbered(*lines), place_of_service=pos, **kw)


def cpt(name: str, *ranges: str) -> ServiceCategory:
    return ServiceCategory(name, CodeSystem.CPT_HCPCS, codes(*ranges))


def revenue(name: str, *ranges: str) -> ServiceCategory:
    return ServiceCategory(name, CodeSystem.REVENUE, codes(*ranges))


def contract(*terms: PaymentTerm, **kw: Any) -> ContractTerms:
    return ContractTerms("C-100", 1, terms, **kw)


def price(c: Claim, terms: ContractTerms, medicare: MedicareReference = NO_MEDICARE) -> PricedClaim:
    priced = price_claim(c, terms, medicare, AS_OF)
    assert_explained(priced)
    return priced


def assert_explained(priced: PricedClaim) -> None:
    """Every amount is the sum of its steps, and the claim total is the sum of lines and cases."""
    for item in (*priced.lines, *priced.cases):
        assert item.expected_allowed == sum(s.amount for s in item.steps if s.amount is not None)
        assert item.expected_allowed == item.expected_allowed.quantize(Decimal("0.01"))
        for step in item.steps:
            assert step.text  # every template formats
    total = sum(x.expected_allowed for x in (*priced.lines, *priced.cases))
    assert priced.expected_allowed == total
    assert explanation_text.explain(priced) == priced.explain()  # the fast text is the domain's
    stored = StoredExplanation.decode(explanation_store.encode(priced, None))
    assert stored.text() == priced.explain()  # the stored steps read back as the domain's text
