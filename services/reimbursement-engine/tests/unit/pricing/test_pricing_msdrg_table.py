"""MS-DRG relative weights from a loaded table (CMS Table 5 shape), used when the term has none.

Test figures (data/msdrg_weights_sample.csv; illustrative weights, not CMS's): DRG 470 1.9000,
871 1.8500, 291 1.3000. Base rate $6,000.00: 470 -> $11,400.00, 871 -> $11,100.00.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pricing_builders import claim, contract, price, rev
from reimbursement_engine.domain.pricing import (
    CodeSystem,
    MedicareReference,
    MsDrg,
    PaymentTerm,
    ServiceCategory,
)
from reimbursement_engine.domain.pricing.medicare_files import MedicareFileError
from reimbursement_engine.domain.pricing.msdrg import fiscal_year_of, parse_msdrg_weights

D = Decimal
SAMPLE = Path(__file__).parent / "data" / "msdrg_weights_sample.csv"


def fy2025() -> MedicareReference:
    with SAMPLE.open(encoding="utf-8") as stream:
        return MedicareReference(years={}, drg_weights={2025: parse_msdrg_weights(stream, 2025)})


def drg_term(weights: dict[str, Decimal] | None = None) -> PaymentTerm:
    category = ServiceCategory("inpatient", CodeSystem.MS_DRG)
    return PaymentTerm("inpatient DRG", category, MsDrg(D("6000.00"), weights or {}))


def test_the_sample_file_reads_with_comments_and_three_digit_drgs() -> None:
    table = fy2025().drg_weights[2025]
    assert dict(table.weights) == {"470": D("1.9000"), "871": D("1.8500"), "291": D("1.3000")}
    assert table.weight("0470") == D("1.9000")
    assert table.descriptions["871"].startswith("Septicemia")


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2024, 9, 30), 2024),
        (date(2024, 10, 1), 2025),
        (date(2025, 9, 30), 2025),
        (date(2025, 10, 1), 2026),
    ],
)
def test_fiscal_year_starts_in_october(day: date, fiscal_year: int) -> None:
    assert fiscal_year_of(day) == fiscal_year


@pytest.mark.parametrize(
    ("drg", "discharged", "expected", "source"),
    [
        ("470", date(2025, 3, 14), "11400.00", "1.9000 (CMS FY2025 table)"),  # 1.9 x 6,000
        ("871", date(2024, 10, 1), "11100.00", "1.8500 (CMS FY2025 table)"),  # FY2025 begins
        ("291", date(2025, 9, 30), "7800.00", "1.3000 (CMS FY2025 table)"),  # FY2025 ends
    ],
)
def test_a_term_without_weights_uses_the_table(
    drg: str, discharged: date, expected: str, source: str
) -> None:
    c = claim(rev("0120", "40000", units="3"), pos=None, drg=drg, discharge_date=discharged)
    priced = price(c, contract(drg_term()), fy2025())
    assert priced.expected_allowed == D(expected)
    assert f"MS-DRG {drg} relative weight {source} x base rate $6,000.00" in priced.cases[0].steps[1].text


def test_a_discharge_outside_the_loaded_fiscal_year_is_unpriced() -> None:
    c = claim(rev("0120", "40000"), pos=None, drg="470", discharge_date=date(2025, 10, 1))  # FY2026
    priced = price(c, contract(drg_term()), fy2025())
    assert priced.expected_allowed == 0
    assert priced.flags == ("inpatient DRG: no relative weight for MS-DRG 470",)


def test_the_contracts_own_weight_wins_over_the_table() -> None:
    c = claim(rev("0120", "40000"), pos=None, drg="470", discharge_date=date(2025, 3, 14))
    priced = price(c, contract(drg_term({"470": D("2.0000")})), fy2025())
    assert priced.expected_allowed == D("12000.00")  # 2.0 x 6,000
    assert "(contract)" in priced.cases[0].steps[1].text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("drg,description\n470,x\n", "lacks columns ['weight']"),
        ("drg,weight\n470,abc\n", "line 2: weight 'abc' is not a number"),
        ("# source\ndrg,weight\n470,1.9\n0470,1.9\n", "line 4: MS-DRG 470 listed twice"),
        ("drg,weight\n47A,1.9\n", "line 2: '47A' is not an MS-DRG"),
        ("drg,weight\n470,0\n", "line 2: weight '0' must be above 0"),
        ("drg,weight\n", "has no rows"),
    ],
)
def test_bad_files_are_refused_with_the_line(text: str, message: str) -> None:
    with pytest.raises(MedicareFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_msdrg_weights(io.StringIO(text), 2025)
