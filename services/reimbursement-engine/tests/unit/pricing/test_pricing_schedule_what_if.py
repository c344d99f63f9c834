"""What-if on a whole fee schedule, by hand. The contract pays E/M from a fee schedule (99213 $95.00,
99214 $140.00) and lab at 40% of charges. Two claims of the year:

  A  99213 + 99214 + 80053 ($200 billed)   95.00 + 140.00 + 80.00 = 315.00
  B  99213 x 2 units                        2 x 95.00            = 190.00      total 505.00

The payer proposes 99213 at $100.00 (99214 not listed). The organisation's cost of 99213 is $60.00
a unit (3 units: $180.00 cost of service).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pricing_builders import AS_OF, NO_MEDICARE, D, claim, contract, cpt, line
from reimbursement_engine.domain.pricing import (
    CodeSystem,
    FeeSchedule,
    FeeScheduleRate,
    FeeScheduleRow,
    PaymentTerm,
    PercentOfCharges,
    price_claim,
)
from reimbursement_engine.domain.schedule_what_if import (
    ProposedSchedule,
    ScheduleWhatIf,
    last_twelve_months,
    terms_under,
)
from reimbursement_engine.domain.what_if import RateChange

CPT = CodeSystem.CPT_HCPCS
SCHEDULE = FeeSchedule(
    "em", (FeeScheduleRow(CPT, "99213", D("95.00")), FeeScheduleRow(CPT, "99214", D("140.00")))
)
TERMS = contract(
    PaymentTerm("E/M", cpt("E/M", "99202-99499"), FeeScheduleRate(SCHEDULE)),
    PaymentTerm("lab", cpt("lab", "80047-89398"), PercentOfCharges(D(40))),
)
CLAIMS = [
    claim(line("99213", "150.00"), line("99214", "200.00"), line("80053", "200.00")),
    claim(line("99213", "300.00", units="2")),
]
COSTS = {("CPT", "99213"): D("60.00")}
PROPOSED = ProposedSchedule((FeeScheduleRow(CPT, "99213", D("100.00")),))


def _run(proposal: ProposedSchedule | RateChange) -> ScheduleWhatIf:
    report = ScheduleWhatIf()
    for c in CLAIMS:
        current = price_claim(c, TERMS, NO_MEDICARE, AS_OF)
        proposed = price_claim(c, terms_under(TERMS, proposal), NO_MEDICARE, AS_OF)
        report.add(c, current, proposed, proposal, COSTS)
    return report


def _codes(report: ScheduleWhatIf) -> dict[str, tuple[Decimal, Decimal]]:
    return {code: (i.current, i.proposed) for (_, code), i in report.by_code.items()}


@pytest.mark.parametrize(
    ("proposal", "total", "codes"),
    [
        (  # overlay: 99214 keeps $140.00
            PROPOSED,
            ("505.00", "520.00"),
            {"99213": ("285.00", "300.00"), "99214": ("140.00", "140.00"), "80053": ("80.00", "80.00")},
        ),
        (  # replace: the proposal is the whole schedule, 99214 goes unpriced
            ProposedSchedule(PROPOSED.rows, overlay=False),
            ("505.00", "380.00"),
            {"99213": ("285.00", "300.00"), "99214": ("140.00", "0.00"), "80053": ("80.00", "80.00")},
        ),
        (  # +10% on 99213-99214: 95.00 -> 104.50 a unit, 140.00 -> 154.00
            RateChange(D(10), "99213", "99214"),
            ("505.00", "547.50"),
            {"99213": ("285.00", "313.50"), "99214": ("140.00", "154.00"), "80053": ("80.00", "80.00")},
        ),
    ],
)
def test_impact_by_code(
    proposal: ProposedSchedule | RateChange, total: tuple[str, str], codes: dict[str, tuple[str, str]]
) -> None:
    report = _run(proposal)
    assert (report.claims, report.total.current, report.total.proposed) == (2, D(total[0]), D(total[1]))
    assert _codes(report) == {k: (D(a), D(b)) for k, (a, b) in codes.items()}


def test_by_service_line_payer_and_margin() -> None:
    report = _run(PROPOSED)
    lines = {k: (v.current, v.proposed) for k, v in report.by_service_line.items()}
    assert lines == {"E/M": (D("425.00"), D("440.00")), "lab": (D("80.00"), D("80.00"))}
    assert {k: v.change for k, v in report.by_payer.items()} == {"PAYER-1": D("15.00")}
    em = report.by_code[("CPT", "99213")]
    assert (em.units, em.cost_of_service, em.margin_current, em.margin_proposed) == (
        D(3),
        D("180.00"),
        D("105.00"),  # 285.00 - 180.00
        D("120.00"),  # 300.00 - 180.00
    )
    assert report.by_code[("CPT", "99214")].margin_current is None  # not costed


@pytest.mark.parametrize(
    ("as_of", "start"),
    [
        (date(2026, 6, 30), date(2025, 7, 1)),
        (date(2026, 1, 1), date(2025, 1, 2)),
        (date(2028, 2, 29), date(2027, 3, 1)),
    ],
)
def test_the_last_twelve_months(as_of: date, start: date) -> None:
    assert last_twelve_months(as_of) == (start, as_of)
