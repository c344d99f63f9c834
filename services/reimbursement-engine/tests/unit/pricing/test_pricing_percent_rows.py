"""Fee schedule rows priced as a percentage, and % of Medicare with a fixed basis year.

Figures (CMS CY2025, national GPCIs 1.0, CF 32.3465): 99213 non-facility $88.95 (2.75 RVU),
facility $63.72 (1.97 RVU).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pricing_builders import claim, contract, cpt, line, price
from reimbursement_engine.adapters.terms_mapping import contract_terms
from reimbursement_engine.domain.pricing import (
    CodeSystem,
    FeeSchedule,
    FeeScheduleRate,
    FeeScheduleRow,
    LineStatus,
    MedicareReference,
    PaymentTerm,
    PercentOfMedicare,
)
from reimbursement_engine.domain.pricing.fee_schedule import RateKind

D = Decimal
CPT = CodeSystem.CPT_HCPCS


def schedule_term(*rows: FeeScheduleRow) -> PaymentTerm:
    return PaymentTerm("visits", cpt("visits", "99201-99499"), FeeScheduleRate(FeeSchedule("fs", rows)))


@pytest.mark.parametrize(
    ("row", "pos", "charge", "expected"),
    [
        # 120% x $88.95 = $106.74
        (FeeScheduleRow(CPT, "99213", D(120), kind=RateKind.PERCENT_OF_MEDICARE), "11", "200.00", "106.74"),
        # 150% x $63.72 = $95.58 (facility PE: POS 22)
        (FeeScheduleRow(CPT, "99213", D(150), kind=RateKind.PERCENT_OF_MEDICARE), "22", "200.00", "95.58"),
        # 60% x $200.00 billed = $120.00
        (FeeScheduleRow(CPT, "99213", D(60), kind=RateKind.PERCENT_OF_CHARGES), "11", "200.00", "120.00"),
        # a dollar row beside them still prices rate x units
        (FeeScheduleRow(CPT, "99213", D("92.50")), "11", "200.00", "92.50"),
    ],
)
def test_percentage_rows_price_by_their_kind(
    medicare: MedicareReference, row: FeeScheduleRow, pos: str, charge: str, expected: str
) -> None:
    priced = price(claim(line("99213", charge), pos=pos), contract(schedule_term(row)), medicare)
    (priced_line,) = priced.lines
    assert priced_line.expected_allowed == D(expected)
    assert "fee schedule row CPT/HCPCS 99213" in priced_line.steps[-1].text


def test_a_percent_of_medicare_row_multiplies_by_units(medicare: MedicareReference) -> None:
    row = FeeScheduleRow(CPT, "99213", D(120), kind=RateKind.PERCENT_OF_MEDICARE)
    priced = price(claim(line("99213", units="2")), contract(schedule_term(row)), medicare)
    assert priced.lines[0].expected_allowed == D("213.48")  # 120% x 88.95 = 106.74 x 2


def test_a_basis_year_prices_with_that_years_medicare(medicare: MedicareReference) -> None:
    """DOS 2026-03-14 with basis year 2025: CY2025 RVUs and CF. 110% x $88.95 = $97.845 -> $97.85."""
    fixed = PaymentTerm("visits", cpt("visits", "99201-99499"), PercentOfMedicare(D(110), basis_year=2025))
    floating = PaymentTerm("visits", cpt("visits", "99201-99499"), PercentOfMedicare(D(110)))
    dos_2026 = date(2026, 3, 14)
    priced = price(claim(line("99213", service_date=dos_2026)), contract(fixed), medicare)
    assert priced.lines[0].expected_allowed == D("97.85")
    assert "basis year 2025" in priced.lines[0].steps[-1].text
    unpriced = price(claim(line("99213", service_date=dos_2026)), contract(floating), medicare)
    assert unpriced.lines[0].status is LineStatus.UNPRICED  # no CY2026 files loaded


def test_registry_percentage_rows_map_and_price(medicare: MedicareReference) -> None:
    """The registry's JSON rows (rate_kind + percentage) reach pricing: 130% x $88.95 = $115.64 (115.635)."""
    row = {
        "code_system": "CPT",
        "code": "99213",
        "rate_kind": "percent_of_medicare",
        "effective_from": "2025-01-01",
        "effective_to": None,
        "modifiers": [],
        "place_of_service": None,
        "setting": None,
        "unit": "unit",
        "amount": None,
        "percentage": "130",
    }
    term = {
        "name": "visits",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "99201", "last": "99499"}]},
        "methodology": {"kind": "fee_schedule", "schedule_id": "fs"},
    }
    version = {"contract_id": "c", "version": 1, "effective_from": "2025-01-01", "payment_terms": [term]}
    priced = price(claim(line("99213")), contract_terms(version, [row]), medicare)
    assert priced.lines[0].expected_allowed == D("115.64")
