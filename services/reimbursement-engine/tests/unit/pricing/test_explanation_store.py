"""The explanation stored as steps (adapters.explanation_store) reads back as the text stored before:
the context, then `PricedClaim.explain()`, character for character, for a claim of every
methodology (every pricing test checks it too, through `pricing_builders.assert_explained`); the
steps as data carry the same figures; a claim priced before steps were stored reads its text."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from pricing_builders import AS_OF, D, claim, contract, cpt, line, rev, revenue
from reimbursement_engine.adapters import explanation_store
from reimbursement_engine.adapters.explanation_store import StoredExplanation, read, read_text
from reimbursement_engine.bench import pricing as bench
from reimbursement_engine.domain.pricing import (
    Capitation,
    CaseRate,
    ClaimLine,
    CodeSystem,
    ContractTerms,
    FeeSchedule,
    FeeScheduleRate,
    FeeScheduleRow,
    Included,
    LevelOfCare,
    MedicareReference,
    MsDrg,
    Outlier,
    PaymentTerm,
    PercentOfCharges,
    PercentOfMedicare,
    PerDiem,
    PricedClaim,
    ServiceCategory,
    codes,
    price_claim,
)
from reimbursement_engine.domain.pricing.adjustments import Ranks
from reimbursement_engine.domain.pricing.explanation import Step, StepKind

CONTEXT = "Contract: C-100 v1 matched payer PAYER-1\nLocation: locality 01112-05 (ZIP 94110)"
SCHEDULE = FeeSchedule("commercial 2025", (FeeScheduleRow(CodeSystem.CPT_HCPCS, "99213", D("95.00")),))
PER_DIEM = PerDiem((LevelOfCare("med/surg", codes("0110-0179"), D("2100.00")),))
ALL = cpt("professional", "00100-99499")


def _terms(*terms: PaymentTerm) -> ContractTerms:
    return contract(*terms)


METHODOLOGIES: list[tuple[str, ClaimLine | None, ContractTerms, dict[str, object]]] = [
    ("fee schedule", line("99213", "150"), _terms(PaymentTerm("visits", ALL, FeeScheduleRate(SCHEDULE))), {}),
    (
        "percent of charges",
        rev("0450", "1234.56"),
        _terms(PaymentTerm("outpatient", revenue("all", "0001-0999"), PercentOfCharges(D("60")))),
        {"pos": None},
    ),
    (
        "per diem + included",
        rev("0120", "9000", units="3"),
        _terms(
            PaymentTerm("days", revenue("r&b", "0100-0219"), PER_DIEM),
            PaymentTerm("ancillary", revenue("anc", "0220-0999"), Included("the per diem")),
        ),
        {"pos": None},
    ),
    (
        "case rate with outlier",
        line("27447", "52000"),
        _terms(PaymentTerm("knee", cpt("TKA", "27447"), CaseRate(D("18000.00"), Outlier(D("50000"), D(40))))),
        {"pos": "22"},
    ),
    (
        "MS-DRG with outlier",
        rev("0120", "130000", units="3"),
        _terms(
            PaymentTerm(
                "DRG",
                ServiceCategory("inpatient", CodeSystem.MS_DRG),
                MsDrg(D("6500.00"), {"470": D("1.9000")}, Outlier(D(100000), D(50))),
            )
        ),
        {"pos": None, "drg": "470"},
    ),
    ("capitation", line("99213", "150"), _terms(PaymentTerm("cap", ALL, Capitation(D("42.50")))), {}),
    ("unpriced (no term)", line("99213", "150"), _terms(), {}),
]


def _priced(case: tuple[str, ClaimLine | None, ContractTerms, dict[str, object]]) -> PricedClaim:
    _, claim_line, terms, kw = case
    lines = (claim_line,) if claim_line else ()
    return price_claim(claim(*lines, **kw), terms, MedicareReference(years={}), AS_OF)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", METHODOLOGIES, ids=[m[0] for m in METHODOLOGIES])
def test_every_methodology_reads_back_as_the_text_stored_before(
    case: tuple[str, ClaimLine | None, ContractTerms, dict[str, object]],
) -> None:
    priced = _priced(case)
    stored = explanation_store.encode(priced, CONTEXT)
    assert read_text(None, stored) == CONTEXT + "\n" + priced.explain()
    assert StoredExplanation.decode(explanation_store.encode(priced, None)).text() == priced.explain()


def test_percent_of_medicare_and_multiple_procedure_read_back(medicare: MedicareReference) -> None:
    term = PaymentTerm("surgery", ALL, PercentOfMedicare(D("140")))
    terms = contract(term)
    c = claim(line("27447", "5000"), line("29881", "3000", n=2), line("20610", "400", n=3))
    priced = price_claim(c, terms, medicare, AS_OF)
    assert read_text(None, explanation_store.encode(priced, CONTEXT)) == CONTEXT + "\n" + priced.explain()


def test_the_bench_claims_read_back_the_same() -> None:
    contract_terms, medicare = bench.bench_contract(), bench.medicare_reference()
    ranked = 0
    for c in bench.generate_claims(200):
        priced = price_claim(c, contract_terms, medicare, date(2025, 4, 1))
        assert read_text(None, explanation_store.encode(priced, CONTEXT)) == CONTEXT + "\n" + priced.explain()
        ranked += sum(type(a) is Ranks for ln in priced.lines for s in ln.steps for a in s.args)
    assert ranked  # multiple procedure rank lists are among them (and a 3% escalator on each)


ARGS: list[tuple[str, tuple[object, ...], str]] = [
    ("{0} x {1} units at {2:,.2f}", ("$90.00", 2, Decimal("1234.5")), "$90.00 x 2 units at 1,234.50"),
    (
        "weight {0:.4f}, exponent kept {1}",
        (Decimal("1.90"), Decimal("5.480")),
        "weight 1.9000, exponent kept 5.480",
    ),
    ("on {0} ({0:%d %b %Y})", (date(2025, 3, 14),), "on 2025-03-14 (14 Mar 2025)"),
    ("{0!r} {1} {2} {3}", ("code", None, True, 0.5), "'code' None True 0.5"),
    (
        "ranked {0} of {1}",
        (Ranks([(2, Decimal("50")), (3, Decimal("50"))]), 3),
        "ranked #2 at 50%, #3 at 50% of 3",
    ),
    ("literal {{braces}} and {0}", ("x",), "literal {braces} and x"),
    ("nested spec {0:{1}}", (Decimal("3.14159"), ".2f"), "nested spec 3.14"),
    ("unknown type {0}", (frozenset({"x"}),), "unknown type frozenset({'x'})"),  # stored as its text
]


@pytest.mark.parametrize(("template", "args", "text"), ARGS, ids=[a[0] for a in ARGS])
def test_arguments_keep_their_type_and_format_specs(
    template: str, args: tuple[object, ...], text: str
) -> None:
    step = Step(StepKind.BASE, template, args, Decimal("-386.130"))
    assert step.text == text
    (decoded,) = StoredExplanation.decode(explanation_store.encode(_one_step(step), None)).lines[0].steps
    assert (str(decoded), decoded.amount) == (str(step), Decimal("-386.130"))


def _one_step(step: Step) -> PricedClaim:
    priced = _priced(METHODOLOGIES[0])
    only = priced.lines[0]
    return PricedClaim(
        priced.patient_control_number,
        priced.contract,
        priced.priced_as_of,
        (type(only)(1, "99213", only.status, None, D("150"), D("-386.13"), (step,)),),
        (),
        D("150"),
        D("-386.13"),
    )


def test_the_steps_as_data_carry_the_figures() -> None:
    priced = _priced(METHODOLOGIES[3])  # knee case rate: 18,000 + 40% x (52,000 - 50,000) = 18,800
    text, view = read(None, explanation_store.encode(priced, CONTEXT))
    assert text == CONTEXT + "\n" + priced.explain()
    assert view is not None
    assert view["context"] == CONTEXT
    assert [
        (ln["line_number"], ln["code"], ln["status"], ln["expected_allowed"]) for ln in view["lines"]
    ] == [(1, "27447", "included", D("0.00"))]
    (case,) = view["cases"]
    assert case["term"] == "knee" and case["expected_allowed"] == D("18800.00")
    assert sum(s["amount"] for s in case["steps"] if s["amount"] is not None) == D("18800.00")
    assert [s["text"] for s in case["steps"]] == [s.text for s in priced.cases[0].steps]
    assert [s["kind"] for s in case["steps"]] == [s.kind.value for s in priced.cases[0].steps]


def test_the_encoding_is_compact_and_versioned() -> None:
    stored = explanation_store.encode(_priced(METHODOLOGIES[0]), None)
    data = json.loads(stored)
    assert data["v"] == 1 and " " not in stored.split('"h"')[0]
    assert data["h"] == [
        "PCN-1",
        "contract C-100 v1",
        ["T", "2025-04-01"],
        ["D", "150"],
        ["D", "95.00"],
    ]  # Decimal text as is
    with pytest.raises(ValueError, match="version 2"):
        StoredExplanation.decode(stored.replace('"v":1', '"v":2'))


def test_a_claim_priced_before_steps_were_stored_reads_its_text() -> None:
    old = "Contract: C-100 v1\nClaim PCN-1, C-100 v1, priced 2025-04-01: charges $150.00, expected allowed $95.00"
    assert read(old, None) == (old, None)
    assert read_text(old, None) == old
    assert read(None, None) == (None, None)  # pending: nothing priced yet
