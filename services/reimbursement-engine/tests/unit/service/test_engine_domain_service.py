"""Reconciliation, the worklist, contract choice and pricing by date of service (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.contract_choice import VersionRef, choose_version
from reimbursement_engine.domain.reconciliation import (
    CasAmount,
    Classification,
    ExpectedLine,
    PaidClaim,
    PaidLine,
    pair_lines,
    reconcile,
)
from reimbursement_engine.domain.worklist import (
    TransitionRefused,
    check_transition,
    status_after_reconciling,
)

D = Decimal
EXPECTED = (ExpectedLine(1, "99213", D("88.95")), ExpectedLine(2, "99214", D("125.00")))


@pytest.mark.parametrize(
    ("claim", "classification", "variance"),
    [
        (PaidClaim("1", D("193.95"), D("20.00")), Classification.PAID_AS_EXPECTED, D("0.00")),
        (PaidClaim("1", D("193.50"), D("20.00")), Classification.PAID_AS_EXPECTED, D("0.45")),
        (PaidClaim("1", D("150.00"), D("20.00")), Classification.UNDERPAID, D("43.95")),
        (PaidClaim("1", D("250.00"), D("0")), Classification.OVERPAID, D("-36.05")),
        (
            PaidClaim("4", D("0"), D("0"), (CasAmount("CO", "50", D("300")),)),
            Classification.DENIED,
            D("213.95"),
        ),
        (
            PaidClaim(
                "1",
                D("88.95"),
                None,
                lines=(
                    PaidLine("99213", D("88.95"), (CasAmount("CO", "45", D("61.05")),), "1"),
                    PaidLine("99214", D("0"), (CasAmount("CO", "97", D("150")),), "2"),
                ),
            ),
            Classification.PARTLY_DENIED,
            D("125.00"),
        ),
    ],
)
def test_claims_are_classified_against_the_expected_amount(
    claim: PaidClaim, classification: Classification, variance: Decimal
) -> None:
    result = reconcile(EXPECTED, D("213.95"), claim, tolerance=D("1.00"))
    assert (result.classification, result.variance) == (classification, variance)


def test_line_variances_pair_lines_and_name_the_main_carc() -> None:
    paid = PaidClaim(
        "1",
        D("170"),
        None,
        lines=(
            PaidLine(
                "99214", D("100"), (CasAmount("CO", "45", D("40")), CasAmount("PR", "2", D("10"))), None
            ),
            PaidLine("99213", D("70"), (CasAmount("CO", "45", D("80")),), None),
        ),
    )
    result = reconcile(EXPECTED, D("213.95"), paid, D("1"))
    assert [(x.code, x.variance, x.carc) for x in result.lines] == [
        ("99213", D("18.95"), "CO-45"),
        ("99214", D("15.00"), "CO-45"),
    ]
    assert result.patient_responsibility == D("10")


def test_a_pairing_known_beforehand_reconciles_as_the_one_found_here() -> None:
    """The 835 path pairs a claim's lines once for reconciling and root causes (`paired`)."""
    paid = PaidClaim(
        "1",
        D("170"),
        None,
        lines=(
            PaidLine("99214", D("100"), (CasAmount("CO", "45", D("40")),), "2"),
            PaidLine("99215", D("70"), (CasAmount("CO", "45", D("80")),), None, "99213"),
        ),
    )
    paired = pair_lines(EXPECTED, paid.lines)
    assert paired == {2: paid.lines[0], 1: paid.lines[1]}  # by control number, then by SVC06
    assert reconcile(EXPECTED, D("213.95"), paid, D("1"), paired=paired) == reconcile(
        EXPECTED, D("213.95"), paid, D("1")
    )


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("open", "appealed", True),
        ("open", "written_off", True),
        ("appealed", "recovered", True),
        ("open", "recovered", False),
        ("recovered", "appealed", False),
        ("written_off", "open", False),
    ],
)
def test_variance_transitions(current: str, target: str, allowed: bool) -> None:
    if allowed:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionRefused):
            check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "is_variance", "status"),
    [
        (None, True, "open"),
        (None, False, "resolved"),
        ("open", False, "resolved"),
        ("resolved", True, "open"),
        ("void", True, "open"),
        ("appealed", False, "appealed"),
        ("recovered", True, "recovered"),
        ("written_off", False, "written_off"),
    ],
)
def test_status_after_reconciling(current: str | None, is_variance: bool, status: str) -> None:
    assert status_after_reconciling(current, is_variance) == status


def ref(contract: str, version: int, start: date, end: date | None, status: str = "active") -> VersionRef:
    return VersionRef(contract, version, "payer", "60054", status, start, end, None)


def test_the_version_in_force_on_the_date_of_service_is_chosen() -> None:
    versions = [
        ref("c", 1, date(2024, 1, 1), date(2025, 4, 30)),
        ref("c", 2, date(2025, 5, 1), None),
        ref("draft", 1, date(2020, 1, 1), None, status="draft"),
    ]
    assert choose_version(versions, date(2025, 3, 1), payer_id="60054", contract_id=None).version == 1
    assert choose_version(versions, date(2025, 6, 1), payer_id="payer", contract_id=None).version == 2
    assert choose_version(versions, date(2023, 6, 1), payer_id="payer", contract_id=None) is None
    # a draft never prices a real claim, even one that names it (canary runs price under drafts)
    assert choose_version(versions, date(2023, 6, 1), payer_id="x", contract_id="draft") is None
    assert choose_version(versions, date(2025, 6, 1), payer_id="x", contract_id="c").version == 2
