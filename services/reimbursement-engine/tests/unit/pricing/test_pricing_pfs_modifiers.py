"""Medicare payment policy modifiers under a % of Medicare term, by the CY2026 PPRRVU file's own
indicators (rows copied into data/cms_pfs_2026/, see its README).

Medicare amounts, Rest of Texas 04412-99 (work 1.000, PE 0.949, MP 0.903; CF 33.4009):
  20610 non-facility (0.77 + 1.16 x 0.949 + 0.13 x 0.903) x 33.4009 = 66.41   BILAT 1, MULT 2
  92012 non-facility (0.92 + 1.76 x 0.949 + 0.03 x 0.903) x 33.4009 = 87.42   BILAT 2
  70030 non-facility (0.18 + 0.78 x 0.949 + 0.02 x 0.903) x 33.4009 = 31.34   BILAT 3
  11042 non-facility (0.98 + 2.86 x 0.949 + 0.13 x 0.903) x 33.4009 = 127.31  BILAT 0, MULT 2
  17110 non-facility (0.68 + 2.58 x 0.949 + 0.07 x 0.903) x 33.4009 = 106.60  MULT 2
  27447 facility (19.11 + 11.58 x 0.949 + 4.02 x 0.903) x 33.4009 = 1,126.59  ASST 2, CO 1
  29881 facility (6.85 + 7.19 x 0.949 + 1.40 x 0.903) x 33.4009 = 498.93     ASST 0, CO 0
  15756 facility (36.02 + 16.83 x 0.949 + 5.89 x 0.903) x 33.4009 = 1,914.22 CO 2
  69436 facility: ASST 1 (no assistant payment)
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pricing_builders import D, claim, contract, cpt, line, price
from reimbursement_engine.adapters.medicare_files import load_medicare_year
from reimbursement_engine.domain.pricing import (
    LineStatus,
    LocalityKey,
    MedicareReference,
    MultipleProcedureReduction,
    PaymentTerm,
    PercentOfMedicare,
    StepKind,
)

FILES = Path(__file__).parent / "data" / "cms_pfs_2026"
REST_OF_TEXAS = LocalityKey("04412", "99")
DOS = date(2026, 8, 3)
MEDICARE = MedicareReference(years={2026: load_medicare_year(FILES, 2026)})


def term(percent: str = "100", **kw: object) -> PaymentTerm:
    method = PercentOfMedicare(D(percent), REST_OF_TEXAS)
    return PaymentTerm("professional", cpt("all", "10000-99499"), method, **kw)  # type: ignore[arg-type]


def modified(code: str, *modifiers: str, n: int = 1, units: str = "1") -> object:
    return line(code, "5000.00", units, n, modifiers=modifiers, service_date=DOS)


@pytest.mark.parametrize(
    ("code", "modifiers", "pos", "percent", "expected", "text"),
    [
        # 66.41 x 150% = 99.615 -> 99.62; at 150% of Medicare: 149.43
        (
            "20610",
            ("50",),
            "11",
            "100",
            "99.62",
            "modifier 50, BILAT SURG indicator 1: 150% of the fee schedule",
        ),
        ("20610", ("50",), "11", "150", "149.43", "BILAT SURG indicator 1: 150%"),
        (
            "92012",
            ("50",),
            "11",
            "100",
            "87.42",
            "BILAT SURG indicator 2: the RVUs already cover both sides, 100%",
        ),
        ("70030", ("50",), "11", "100", "62.68", "BILAT SURG indicator 3: each side at 100%, 200%"),
        (
            "11042",
            ("50",),
            "11",
            "100",
            "127.31",
            "BILAT SURG indicator 0: the bilateral adjustment does not apply",
        ),
        # assistants: 1,126.59 x 16% = 180.2544; x 13.6% = 153.2162
        (
            "27447",
            ("80",),
            "22",
            "100",
            "180.25",
            "modifier 80, ASST SURG indicator 2: assistant at surgery, 16%",
        ),
        ("27447", ("82",), "22", "100", "180.25", "modifier 82, ASST SURG indicator 2"),
        ("27447", ("AS",), "22", "100", "153.22", "non-physician assistant at surgery, 85% of 16% = 13.6%"),
        (
            "29881",
            ("81",),
            "22",
            "100",
            "79.83",
            "modifier 81, ASST SURG indicator 0: assistant at surgery, 16%",
        ),
        (
            "69436",
            ("80",),
            "22",
            "100",
            "0.00",
            "ASST SURG indicator 1: statutory payment restriction, no payment",
        ),
        # co-surgeons 62.5% each: 1,126.59 x 62.5% = 704.11875; 1,914.22 x 62.5% = 1,196.3875
        (
            "27447",
            ("62",),
            "22",
            "100",
            "704.12",
            "modifier 62, CO SURG indicator 1: 62.5% to each co-surgeon",
        ),
        ("15756", ("62",), "22", "100", "1196.39", "modifier 62, CO SURG indicator 2: 62.5%"),
        ("29881", ("62",), "22", "100", "0.00", "CO SURG indicator 0: co-surgeons not permitted, no payment"),
        # bilateral co-surgery: 1,126.59 x 150% x 62.5% = 1,056.178
        ("27447", ("50", "62"), "22", "100", "1056.18", "BILAT SURG indicator 1: 150% of the fee schedule"),
    ],
)
def test_payment_policy_modifiers(
    code: str, modifiers: tuple[str, ...], pos: str, percent: str, expected: str, text: str
) -> None:
    (result,) = price(claim(modified(code, *modifiers), pos=pos), contract(term(percent)), MEDICARE).lines
    assert result.status is LineStatus.PRICED
    assert result.expected_allowed == D(expected)
    base = next(s for s in result.steps if s.kind is StepKind.BASE)
    assert text in base.text


def test_the_base_step_reads_with_the_modifier() -> None:
    (result,) = price(claim(modified("20610", "50")), contract(term("150")), MEDICARE).lines
    base = next(s for s in result.steps if s.kind is StepKind.BASE)
    assert base.text == (
        "150% x Medicare CY2026 RVU26C locality 04412-99 20610 non-facility (work GPCI 1.000 with the "
        "1.0 floor, 0.991 without) $66.41, modifier 50, "
        "BILAT SURG indicator 1: 150% of the fee schedule amount = $99.62 x 1 unit(s)"
    )


@pytest.mark.parametrize(("code", "modifier"), [("29881", "80"), ("27447", "62")])
def test_payment_with_documentation_is_flagged(code: str, modifier: str) -> None:
    (result,) = price(claim(modified(code, modifier), pos="22"), contract(term()), MEDICARE).lines
    assert result.flags and "documentation of medical necessity" in result.flags[0]


def _amounts(*lines: object, priced_term: PaymentTerm | None = None, pos: str = "11") -> list[Decimal]:
    c = claim(*lines, pos=pos)  # type: ignore[arg-type]
    return [r.expected_allowed for r in price(c, contract(priced_term or term()), MEDICARE).lines]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # 11042 127.31 at 100%; 17110-51 106.60 at 50% = 53.30; 99203 (MULT PROC 0) 114.05
        (
            (modified("11042", n=1), modified("17110", "51", n=2), modified("99203", n=3)),
            ["127.31", "53.30", "114.05"],
        ),
        # the bilateral amount is ranked: 11042-51 127.31 first, 20610-50 99.62 at 50% = 49.81
        ((modified("20610", "50", n=1), modified("11042", "51", n=2)), ["49.81", "127.31"]),
        # two units of 17110-51: 106.60 + 53.30
        ((modified("17110", "51", units="2"),), ["159.90"]),
        # no 51 on the claim: Medicare's rule is not asked for
        ((modified("11042", n=1), modified("17110", n=2)), ["127.31", "106.60"]),
    ],
)
def test_modifier_51_ranks_the_days_procedures(lines: tuple[object, ...], expected: list[str]) -> None:
    assert _amounts(*lines) == [D(x) for x in expected]


def test_modifier_51_explains_indicator_rank_and_percentage() -> None:
    c = claim(modified("11042", n=1), modified("17110", "51", n=2))
    second = price(c, contract(term()), MEDICARE).lines[1]
    step = second.steps[-1]
    assert (step.kind, step.amount) == (StepKind.MULTIPLE_PROCEDURE, D("-53.30"))
    assert step.text == (
        "modifier 51, MULT PROC indicator 2: Medicare multiple procedure rule, ranked by Medicare amount "
        "#2 at 50% of 2 procedures (unit: rank, % paid)"
    )


def test_modifier_51_on_a_code_outside_the_rule_is_noted_not_reduced() -> None:
    (result,) = price(claim(modified("99213", "51")), contract(term()), MEDICARE).lines
    # (1.30 + 1.46 x 0.949 + 0.09 x 0.903) x 33.4009 = 92.4139, not reduced
    assert result.expected_allowed == D("92.41")
    assert (
        result.steps[-1].text
        == "modifier 51 on a code with MULT PROC indicator 0: no multiple procedure reduction"
    )


def test_a_term_with_its_own_multiple_procedure_rule_is_not_reduced_twice() -> None:
    own = term(multiple_procedure=MultipleProcedureReduction((D(100), D(75))))
    amounts = _amounts(modified("11042", n=1), modified("17110", "51", n=2), priced_term=own)
    assert amounts == [D("127.31"), D("79.95")]  # 106.60 x 75%, the contract's rule only
