"""The claim lifecycle decision (domain/claim_lifecycle.py), case by case as a billing analyst
would put it: what an original, a replacement (frequency 7) and a void (frequency 8) do to the
claim already held for the same patient control number."""

from __future__ import annotations

import pytest
from reimbursement_engine.domain.claim_lifecycle import (
    Action,
    ClaimFrequency,
    ClaimStatus,
    decide,
    frequency_of,
)

F = ClaimFrequency


@pytest.mark.parametrize(
    ("case", "frequency", "live", "action", "retires", "retired_status"),
    [
        ("first original for a new patient account", F.ORIGINAL, None, Action.PRICE, None, None),
        ("original resent for an account already billed", F.ORIGINAL, "CLM-1", Action.DUPLICATE, None, None),
        (
            "corrected claim replaces the one on file",
            F.REPLACEMENT,
            "CLM-1",
            Action.REPLACE,
            "CLM-1",
            ClaimStatus.REPLACED,
        ),
        (
            "corrected claim for a claim never received is priced as new",
            F.REPLACEMENT,
            None,
            Action.PRICE,
            None,
            None,
        ),
        ("void cancels the claim on file", F.VOID, "CLM-1", Action.VOID, "CLM-1", ClaimStatus.VOIDED),
        ("void for a claim never received is refused", F.VOID, None, Action.UNKNOWN_VOID, None, None),
    ],
)
def test_decision(
    case: str,
    frequency: ClaimFrequency,
    live: str | None,
    action: Action,
    retires: str | None,
    retired_status: ClaimStatus | None,
) -> None:
    decision = decide(frequency, live)
    assert (decision.action, decision.retires, decision.retired_status) == (
        action,
        retires,
        retired_status,
    ), case


def test_reasons_name_the_frequency() -> None:
    assert decide(F.VOID, "CLM-1").reason == "voided by a frequency 8 claim"
    assert decide(F.REPLACEMENT, "CLM-1").reason == "replaced by a frequency 7 claim"


@pytest.mark.parametrize(
    ("frequency_code", "type_of_bill", "expected"),
    [
        (None, None, F.ORIGINAL),  # professional claim, CLM05-3 left out
        ("1", None, F.ORIGINAL),
        ("7", None, F.REPLACEMENT),
        ("8", None, F.VOID),
        (None, "0131", F.ORIGINAL),  # hospital outpatient, admit through discharge
        (None, "0137", F.REPLACEMENT),  # hospital outpatient, replacement of prior claim
        (None, "138", F.VOID),  # three-digit type of bill, void/cancel of prior claim
        (None, "0135", F.ORIGINAL),  # late charge: not a lifecycle change the engine acts on
        ("1", "0137", F.ORIGINAL),  # a stated frequency code wins over the type of bill
        (None, "07", F.ORIGINAL),  # too short to be a type of bill
    ],
)
def test_frequency_from_code_or_type_of_bill(
    frequency_code: str | None, type_of_bill: str | None, expected: ClaimFrequency
) -> None:
    assert frequency_of(frequency_code, type_of_bill) is expected
