"""Recovery projects: grouping by cause, payer and contract; triage rules; windows left to the day.

Remitted 2026-04-01, appeal window 180 days: deadline 2026-09-28; seen on 2026-06-01 that is 119
days left. Date of service 2026-03-10, timely filing 90 days: 2026-06-08, 7 days left.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.triage import OpenVariance, TriageRules, triage

D = Decimal
TODAY = date(2026, 6, 1)


def variance(
    n: int, amount: str, cause: str = "escalator_not_applied", payer: str = "60054", code: str = "99213"
) -> OpenVariance:
    return OpenVariance(
        f"v{n}", f"c{n}", payer, "k1", cause, D(amount), date(2026, 4, 1), date(2026, 3, 10), (code,)
    )


def test_many_claims_with_one_cause_are_one_project_with_its_windows() -> None:
    found = triage([variance(n, "3.00") for n in range(400)], TriageRules(), TODAY)
    (project,) = found.projects
    assert (project.cause, project.variance_count, project.amount) == (
        "escalator_not_applied",
        400,
        D("1200.00"),
    )
    assert (project.appeal_deadline, project.appeal_days_left) == (date(2026, 9, 28), 119)
    assert (project.filing_deadline, project.filing_days_left) == (date(2026, 6, 8), 7)


RULES = [
    # (rules, variances, projects worked (cause, amount), reason the first set-aside one gives)
    (
        TriageRules(),
        [variance(1, "10.00"), variance(2, "50.00", "denied_authorization")],
        [("denied_authorization", "50.00"), ("escalator_not_applied", "10.00")],
        None,
    ),
    (
        TriageRules(minimum_amount=D("50.00")),
        [variance(1, "10.00"), variance(2, "20.00")],
        [],
        "$30.00 is below the minimum worth appealing ($50.00)",
    ),
    (
        TriageRules(minimum_amount=D("25.00")),
        [variance(1, "10.00"), variance(2, "20.00"), variance(3, "0.50")],
        [("escalator_not_applied", "30.50")],
        None,
    ),
    (
        TriageRules(excluded_payers=frozenset({"SELF"})),
        [variance(1, "99.00", payer="SELF")],
        [],
        "payer SELF is not worth appealing",
    ),
    (
        TriageRules(excluded_codes=frozenset({"36415"})),
        [variance(1, "99.00", code="36415")],
        [],
        "codes 36415 are not worth appealing",
    ),
    (
        TriageRules(appeal_window_days=30),
        [variance(1, "99.00")],
        [],
        "the appeal window closed on 2026-05-01",
    ),
]


@pytest.mark.parametrize(("rules", "variances", "worked", "reason"), RULES)
def test_triage_rules(
    rules: TriageRules, variances: list[OpenVariance], worked: list[tuple[str, str]], reason: str | None
) -> None:
    found = triage(variances, rules, TODAY)
    assert [(p.cause, p.amount) for p in found.projects] == [(c, D(a)) for c, a in worked]
    assert (found.set_aside[0].set_aside if found.set_aside else None) == reason


def test_order_is_amount_then_days_left() -> None:
    early = OpenVariance(
        "a", "ca", "P2", None, "unexplained", D("40.00"), date(2026, 1, 2), date(2026, 1, 1), ()
    )
    late = variance(2, "40.00")
    found = triage([late, early], TriageRules(), TODAY)
    assert [p.payer_id for p in found.projects] == ["P2", "60054"]  # same amount: fewer days left first
    assert found.total == D("80.00")
