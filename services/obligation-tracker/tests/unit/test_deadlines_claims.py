"""Claim deadlines: timely filing, prompt pay and its interest, appeals."""

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from obligation_tracker.domain import (
    BusinessCalendar,
    ClaimDeadlineFacts,
    ContractVersionSnapshot,
    DayCount,
    ObligationKind,
    ObligationStatus,
    OrgSchedule,
    RemittanceOutcome,
    appeal_deadline,
    appealable_outcome,
    assess_prompt_pay,
    claim_obligations,
    payment_awaits_pricing,
    prompt_pay_due_date,
    prompt_pay_interest,
    settle_prompt_pay,
    timely_filing_deadline,
)

US = BusinessCalendar()
CONTRACT_ID = UUID("00000000-0000-4000-8000-00000000c003")
CLAIM_ID = UUID("00000000-0000-4000-8000-0000000c1a1e")
TEXAS_COMMERCIAL = ContractVersionSnapshot(
    contract_id=CONTRACT_ID,
    version_number=4,
    contract_name="Lone Star Health commercial",
    effective_date=date(2024, 1, 1),
    timely_filing_days=95,
    appeal_window_days=180,
    prompt_pay_days=30,
    prompt_pay_interest_rate_annual=Decimal("0.18"),
)


@pytest.mark.parametrize(
    ("date_of_service", "limit_days", "expected"),
    [
        (date(2025, 8, 30), 95, date(2025, 12, 3)),
        (date(2025, 4, 1), 95, date(2025, 7, 3)),  # Sat Jul 5 -> back past July 4th
        (date(2025, 3, 31), 95, date(2025, 7, 3)),  # lands on July 4th itself
        (date(2024, 12, 1), 90, date(2025, 2, 28)),  # Mar 1 is a Saturday
        (date(2024, 1, 31), 30, date(2024, 3, 1)),  # over a leap day
    ],
)
def test_timely_filing_deadline(date_of_service: date, limit_days: int, expected: date) -> None:
    assert timely_filing_deadline(date_of_service, limit_days, US) == expected


@pytest.mark.parametrize(
    ("remitted_on", "window_days", "expected"),
    [
        (date(2025, 5, 26), 120, date(2025, 9, 23)),
        (date(2025, 9, 15), 180, date(2026, 3, 13)),  # Saturday -> Friday
        (date(2025, 10, 1), 60, date(2025, 11, 28)),  # Sunday Nov 30 -> Friday after Thanksgiving
    ],
)
def test_appeal_deadline(remitted_on: date, window_days: int, expected: date) -> None:
    assert appeal_deadline(remitted_on, window_days, US) == expected


@pytest.mark.parametrize(
    ("received_on", "days", "day_count", "expected"),
    [
        (date(2025, 11, 20), 30, DayCount.CALENDAR, date(2025, 12, 20)),  # payer's date: not rolled
        (date(2025, 11, 20), 10, DayCount.BUSINESS, date(2025, 12, 5)),  # over Thanksgiving
        (date(2025, 1, 31), 30, DayCount.CALENDAR, date(2025, 3, 2)),
    ],
)
def test_prompt_pay_due_date(received_on: date, days: int, day_count: DayCount, expected: date) -> None:
    assert prompt_pay_due_date(received_on, days, day_count, US) == expected


@pytest.mark.parametrize(
    ("paid", "rate", "days_late", "interest"),
    [
        (Decimal("1000.00"), Decimal("0.18"), 10, Decimal("4.93")),
        (Decimal("1234.56"), Decimal("0.18"), 31, Decimal("18.87")),
        (Decimal("18.25"), Decimal("0.10"), 1, Decimal("0.01")),  # exactly half a cent: rounds up
        (Decimal("36500.00"), Decimal("0.10"), 1, Decimal("10.00")),  # 365-day year, leap or not
        (Decimal("1000.00"), Decimal("0.18"), 0, Decimal("0.00")),
    ],
)
def test_prompt_pay_interest(paid: Decimal, rate: Decimal, days_late: int, interest: Decimal) -> None:
    assert prompt_pay_interest(paid, rate, days_late) == interest


@pytest.mark.parametrize(
    ("paid_on", "rate", "days_late", "interest", "breached"),
    [
        (date(2025, 12, 19), Decimal("0.18"), 0, Decimal("0.00"), False),
        (date(2025, 12, 20), Decimal("0.18"), 0, Decimal("0.00"), False),  # on the due date
        (date(2025, 12, 30), Decimal("0.18"), 10, Decimal("4.93"), True),
        (date(2025, 12, 30), None, 10, Decimal("0.00"), True),  # late, but no interest term
    ],
)
def test_assess_prompt_pay(
    paid_on: date, rate: Decimal | None, days_late: int, interest: Decimal, breached: bool
) -> None:
    assessment = assess_prompt_pay(date(2025, 12, 20), paid_on, Decimal("1000.00"), rate)
    assert (assessment.days_late, assessment.interest_owed, assessment.breached) == (
        days_late,
        interest,
        breached,
    )


@pytest.mark.parametrize(
    ("outcome", "kinds"),
    [
        (None, {ObligationKind.TIMELY_FILING, ObligationKind.PROMPT_PAY}),
        (RemittanceOutcome.PAID_AS_CONTRACTED, {ObligationKind.TIMELY_FILING, ObligationKind.PROMPT_PAY}),
        (
            RemittanceOutcome.UNDERPAID,
            {ObligationKind.TIMELY_FILING, ObligationKind.PROMPT_PAY, ObligationKind.APPEAL},
        ),
        (
            RemittanceOutcome.DENIED,
            {ObligationKind.TIMELY_FILING, ObligationKind.PROMPT_PAY, ObligationKind.APPEAL},
        ),
    ],
)
def test_claim_obligations(outcome: RemittanceOutcome | None, kinds: set[ObligationKind]) -> None:
    claim = ClaimDeadlineFacts(
        claim_id=CLAIM_ID,
        contract_id=CONTRACT_ID,
        date_of_service=date(2025, 8, 30),
        payer_received_on=date(2025, 9, 2),
        remitted_on=date(2025, 9, 15),
        outcome=outcome,
    )
    obligations = claim_obligations(claim, TEXAS_COMMERCIAL, OrgSchedule())
    assert {o.kind for o in obligations} == kinds
    due = {o.kind: o.due_date for o in obligations}
    assert due[ObligationKind.TIMELY_FILING] == date(2025, 12, 3)
    assert due[ObligationKind.PROMPT_PAY] == date(2025, 10, 2)
    assert due.get(ObligationKind.APPEAL, date(2026, 3, 13)) == date(2026, 3, 13)
    for obligation in obligations:
        assert obligation.claim_id == CLAIM_ID
        assert str(CLAIM_ID) in obligation.title


def test_claim_without_receipt_has_no_prompt_pay_obligation() -> None:
    claim = ClaimDeadlineFacts(CLAIM_ID, CONTRACT_ID, date(2025, 8, 30))
    kinds = {o.kind for o in claim_obligations(claim, TEXAS_COMMERCIAL, OrgSchedule())}
    assert kinds == {ObligationKind.TIMELY_FILING}


@pytest.mark.parametrize(
    ("paid_on", "status", "note"),
    [
        (date(2025, 10, 2), ObligationStatus.COMPLETED, "paid on 2025-10-02, on time"),
        (
            date(2025, 10, 12),
            ObligationStatus.BREACHED,
            "paid on 2025-10-12, 10 days late; interest owed 4.93",
        ),
    ],
)
def test_settle_prompt_pay(paid_on: date, status: ObligationStatus, note: str) -> None:
    claim = ClaimDeadlineFacts(CLAIM_ID, CONTRACT_ID, date(2025, 8, 30), payer_received_on=date(2025, 9, 2))
    (prompt_pay,) = (
        o
        for o in claim_obligations(claim, TEXAS_COMMERCIAL, OrgSchedule())
        if o.kind is ObligationKind.PROMPT_PAY
    )
    rate = TEXAS_COMMERCIAL.prompt_pay_interest_rate_annual
    assessment = assess_prompt_pay(prompt_pay.due_date, paid_on, Decimal("1000.00"), rate)
    settled = settle_prompt_pay(prompt_pay, assessment)
    assert settled.status is status
    assert settled.reasons[-1] == note


@pytest.mark.parametrize(
    ("classification", "outcome"),
    [
        ("underpaid", RemittanceOutcome.UNDERPAID),
        ("denied", RemittanceOutcome.DENIED),
        ("partly_denied", RemittanceOutcome.DENIED),
        ("overpaid", None),
        ("paid_as_expected", None),
    ],
)
def test_variance_classification_opens_an_appeal(
    classification: str, outcome: RemittanceOutcome | None
) -> None:
    assert appealable_outcome(classification) is outcome


TIMELY_FILING, PROMPT_PAY, APPEAL = (
    ObligationKind.TIMELY_FILING,
    ObligationKind.PROMPT_PAY,
    ObligationKind.APPEAL,
)


@pytest.mark.parametrize(
    ("held", "priced", "waits"),
    [
        ((), False, True),  # the 835's payment came first: wait for the claim.priced
        ((APPEAL,), False, True),  # an underpayment's appeal does not come from the pricing
        ((TIMELY_FILING,), False, False),  # priced before pricings were recorded
        ((PROMPT_PAY,), False, False),
        ((TIMELY_FILING, PROMPT_PAY), False, False),
        ((), True, False),  # a pricing that created no deadline: nothing to settle, never wait
        ((APPEAL,), True, False),
        ((TIMELY_FILING, PROMPT_PAY), True, False),
    ],
)
def test_a_payment_waits_for_its_claims_pricing_only_before_it(
    held: tuple[ObligationKind, ...], priced: bool, waits: bool
) -> None:
    assert payment_awaits_pricing(held, priced=priced) is waits
