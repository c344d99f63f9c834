"""What-if on the facility schedules: "move ASC cases from 150% of the PFS to 180% of the ASC
schedule", impact by code, priced with the same schedules as claims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reimbursement_engine.domain.pricing import (
    Claim,
    MedicareReference,
    MedicareYear,
    RvuRow,
    price_claim,
)
from reimbursement_engine.domain.pricing.medicare import NATIONAL_GPCI
from reimbursement_engine.domain.what_if import MoveToPercentOfMedicare, WhatIfReport, proposed_terms
from schedule_builders import contract, line, schedules

D = Decimal
ON = date(2025, 3, 14)
# pprrvu2025_oct.csv (RVU25D): 29881 work 7.03, facility PE 8.22, MP 1.39 (MULT_PROC 3)
RVU_29881 = RvuRow("29881", "", "A", D("7.03"), D("8.22"), D("8.22"), D("1.39"), "3")
PFS_2025 = MedicareYear(2025, {("29881", ""): RVU_29881}, {NATIONAL_GPCI.locality: NATIONAL_GPCI})


def test_moving_asc_cases_from_150_percent_of_the_pfs_to_180_percent_of_the_asc_schedule() -> None:
    medicare = MedicareReference(years={2025: PFS_2025}, schedules=schedules())
    claim = Claim("PCN-9", "60054", ON, ON, (line(1, "29881", ON),), facility_claim=True)
    terms = contract("PFS", percent="150")
    current = price_claim(claim, terms, medicare, ON)
    proposal = MoveToPercentOfMedicare(D("180"), basis="ASC")
    proposed = price_claim(claim, proposed_terms(terms, proposal), medicare, ON)
    report = WhatIfReport()
    report.add(current, proposed, proposal)
    impact = report.by_code["29881"]
    # PFS facility national: 16.64 RVU x 32.3465 = 538.25; x 150% = 807.38
    # ASC January 2025 national: 1,579.16 x 180% = 2,842.49
    assert (impact.current, impact.proposed, impact.change) == (D("807.38"), D("2842.49"), D("2035.11"))
    assert "Medicare ASC (ASC payment system): named by the term" in proposed.explain()


def test_a_term_without_a_basis_keeps_the_pfs_until_the_settings_schedule_is_loaded() -> None:
    pfs_only = MedicareReference(years={2025: PFS_2025})
    claim = Claim("PCN-8", "60054", ON, ON, (line(1, "29881", ON, pos=None),), type_of_bill="0131")
    priced = price_claim(claim, contract(None, percent="100"), pfs_only, ON)
    assert priced.lines[0].expected_allowed == D("538.25")  # 16.64 RVU x 32.3465, facility
    assert priced.flags == (
        "line 1 29881: type of bill 0131 (hospital outpatient) means Medicare OPPS, but no OPPS release "
        "is loaded for 2025-03-14: priced on the physician fee schedule",
        "line 1 29881: no Medicare locality on the claim, its term or its location, national GPCIs used",
    )
    # with Addendum B loaded the same term prices by APC (29881: J1, $3,244.61)
    with_opps = MedicareReference(years={2025: PFS_2025}, schedules=schedules())
    assert price_claim(claim, contract(None, percent="100"), with_opps, ON).expected_allowed == D("3244.61")
