"""Root causes of a variance, rule by rule, with figures an analyst can check by hand.

The contract pays CPT 99213 $100.00 and 99214 $150.00 from its fee schedule, with a 3% escalator
from the contract's first anniversary: in 2026 99213 is worth $103.00, 99214 $154.50.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from reimbursement_engine.domain.reconciliation import CasAmount
from reimbursement_engine.domain.root_causes import (
    Alternative,
    AlternativePrice,
    Cause,
    ClaimFacts,
    LineFacts,
    diagnose,
    primary_cause,
)

D = Decimal
NO_ESC = Alternative.NO_ESCALATOR


def line(
    expected: str,
    allowed: str,
    *,
    code: str = "99213",
    paid_code: str | None = "99213",
    original: str | None = None,
    billed_mods: tuple[str, ...] = (),
    paid_mods: tuple[str, ...] = (),
    cas: tuple[tuple[str, str, str], ...] = (),
    alternatives: tuple[tuple[Alternative, str, str], ...] = (),
) -> LineFacts:
    return LineFacts(
        line_number=1,
        billed_code=code,
        expected=D(expected),
        variance=D(expected) - D(allowed),
        allowed=D(allowed),
        billed_modifiers=billed_mods,
        paid_code=paid_code,
        paid_modifiers=paid_mods,
        original_code=original,
        adjustments=tuple(CasAmount(g, c, D(a)) for g, c, a in cas),
        alternatives=tuple(AlternativePrice(k, D(a), label) for k, a, label in alternatives),
    )


CASES = [
    # (what happened, line, the causes found, words the evidence must hold)
    (
        "paid at last year's rate: $100.00 = the rate before the 3% escalator",
        line("103.00", "100.00", cas=(("CO", "45", "50.00"),), alternatives=((NO_ESC, "100.00", ""),)),
        [Cause.ESCALATOR_NOT_APPLIED],
        "allowed $100.00 = the contract's rate before its escalator for 99213 ($100.00)",
    ),
    (
        "escalator alternative that does not match the payment names nothing",
        line("103.00", "90.00", alternatives=((NO_ESC, "100.00", ""),)),
        [Cause.UNEXPLAINED],
        "allowed $90.00 of $103.00 expected",
    ),
    (
        "billed 99214 ($154.50), adjudicated as 99213 and allowed the contract's $103.00 for it",
        line(
            "154.50",
            "103.00",
            code="99214",
            paid_code="99213",
            original="99214",
            alternatives=((Alternative.PAID_CODE, "103.00", "99213"),),
        ),
        [Cause.PAID_AS_OTHER_CODE],
        "billed 99214, the payer adjudicated 99213 (835 SVC01 99213, SVC06 99214); allowed $103.00",
    ),
    (
        "bilateral modifier 50 billed, dropped by the payer",
        line("150.00", "100.00", billed_mods=("50",)),
        [Cause.MODIFIER_IGNORED],
        "modifier 50 billed, not on the payer's line",
    ),
    (
        "professional component 26 added by the payer",
        line("100.00", "26.00", paid_mods=("26",)),
        [Cause.MODIFIER_APPLIED],
        "modifier 26 on the payer's line, not billed",
    ),
    (
        "CARC 59: the payer applied its multiple-procedure rules",
        line("100.00", "50.00", cas=(("CO", "59", "50.00"),)),
        [Cause.MULTIPLE_PROCEDURE_REDUCTION],
        "CO-59 $50.00: processed under multiple-procedure rules",
    ),
    (
        "carve-out paid at the base rate",
        line(
            "250.00",
            "100.00",
            alternatives=((Alternative.NO_CARVE_OUT, "100.00", ""),),
        ),
        [Cause.CARVE_OUT_AT_BASE_RATE],
        "the base rate (the carve-out not applied)",
    ),
    (
        "paid from another contract's fee schedule",
        line(
            "103.00",
            "95.00",
            alternatives=(
                (Alternative.OTHER_VERSION, "95.00", "contract 'Acme HMO' c-2 v1"),
                (NO_ESC, "100.00", ""),
            ),
        ),
        [Cause.OTHER_FEE_SCHEDULE],
        "= the rate of contract 'Acme HMO' c-2 v1 for 99213 ($95.00)",
    ),
    (
        "an alternative equal to the contract's own price says nothing",
        line("100.00", "100.00", alternatives=((Alternative.OTHER_VERSION, "100.00", "c-2 v1"),)),
        [],
        "",
    ),
    (
        "timely filing (CARC 29)",
        line("103.00", "0", cas=(("CO", "29", "120.00"),)),
        [Cause.DENIED_TIMELY_FILING],
        "CO-29 $120.00",
    ),
    (
        "no authorization (CARC 197)",
        line("103.00", "0", cas=(("CO", "197", "120.00"),)),
        [Cause.DENIED_AUTHORIZATION],
        "CO-197",
    ),
    (
        "medical necessity (CARC 50)",
        line("103.00", "0", cas=(("CO", "50", "120.00"),)),
        [Cause.DENIED_MEDICAL_NECESSITY],
        "CO-50",
    ),
    (
        "duplicate (CARC 18)",
        line("103.00", "0", cas=(("OA", "18", "120.00"),)),
        [Cause.DENIED_DUPLICATE],
        "OA-18",
    ),
    (
        "another payer first (CARC 22)",
        line("103.00", "0", cas=(("OA", "22", "120.00"),)),
        [Cause.DENIED_COORDINATION_OF_BENEFITS],
        "OA-22",
    ),
    (
        "patient responsibility is no denial",
        line("103.00", "0", cas=(("PR", "29", "103.00"),)),
        [Cause.UNEXPLAINED],
        "PR-29",
    ),
]


@pytest.mark.parametrize(("what", "facts", "causes", "words"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_names_its_cause_with_evidence(
    what: str, facts: LineFacts, causes: list[Cause], words: str
) -> None:
    found = diagnose(ClaimFacts((facts,)))
    assert [c.cause for c in found] == causes, what
    if causes:
        assert words in found[0].evidence
        assert found[0].amount == facts.variance


def test_claim_level_denial_and_remainder() -> None:
    denied = ClaimFacts((), (CasAmount("CO", "50", D("200.00")),), D("150.00"))
    ((cause, line_number, amount),) = [(c.cause, c.line_number, c.amount) for c in diagnose(denied)]
    assert (cause, line_number, amount) == (Cause.DENIED_MEDICAL_NECESSITY, None, D("150.00"))
    stop_loss = diagnose(ClaimFacts((), (), D("19500.00")))
    assert [c.cause for c in stop_loss] == [Cause.UNEXPLAINED]
    assert "$19,500.00 not carried by any line" in stop_loss[0].evidence


PRIMARY = [
    # two lines: the cause with more money explains the claim; a tie goes to the earlier in PRIORITY
    ((Cause.ESCALATOR_NOT_APPLIED, "3.00"), (Cause.PAID_AS_OTHER_CODE, "51.50"), Cause.PAID_AS_OTHER_CODE),
    ((Cause.DENIED_AUTHORIZATION, "10.00"), (Cause.UNEXPLAINED, "10.00"), Cause.DENIED_AUTHORIZATION),
    ((Cause.UNEXPLAINED, "10.00"), (Cause.MODIFIER_IGNORED, "10.00"), Cause.MODIFIER_IGNORED),
]


@pytest.mark.parametrize(("first", "second", "primary"), PRIMARY)
def test_primary_cause_is_the_one_with_most_money(
    first: tuple[Cause, str], second: tuple[Cause, str], primary: Cause
) -> None:
    from reimbursement_engine.domain.root_causes import RootCause

    causes = [RootCause(c, n, "x", D(a), "") for n, (c, a) in enumerate((first, second), start=1)]
    assert primary_cause(causes) is primary
    assert primary_cause([]) is None
