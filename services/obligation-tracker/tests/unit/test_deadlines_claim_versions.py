"""Which version's terms a claim's deadlines follow, and how a variance's outcome settles its
appeal deadline: table-driven, with dates a contract analyst can check by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from obligation_tracker.domain import (
    ClaimDeadlineFacts,
    Obligation,
    ObligationKey,
    ObligationKind,
    ObligationStatus,
    VarianceOutcome,
    VarianceStatus,
    VersionPeriod,
    settle_appeal,
    version_for_claim,
)

# Version 1 from 2026-01-01; version 2 (the mid-year amendment) from 2026-07-01; version 3 a
# correction of version 2 entered later with the same start.
HELD = [
    VersionPeriod(1, date(2026, 1, 1)),
    VersionPeriod(2, date(2026, 7, 1)),
    VersionPeriod(3, date(2026, 7, 1)),
]


@pytest.mark.parametrize(
    ("date_of_service", "priced_with", "held", "expected"),
    [
        (date(2026, 6, 30), None, HELD, 1),  # the day before the amendment
        (date(2026, 7, 1), None, HELD, 3),  # the amendment's first day: the later of two same-day versions
        (date(2026, 6, 30), 2, HELD, 2),  # the engine priced it with version 2: that one
        (date(2026, 6, 30), 5, HELD, None),  # priced with a version not here yet: wait for it
        (date(2025, 12, 1), None, HELD, 3),  # before every version: the latest held
        (date(2026, 3, 1), None, [VersionPeriod(1, date(2026, 1, 1), date(2026, 2, 28))], 1),
        (date(2026, 3, 1), None, [], None),
    ],
)
def test_the_version_for_a_claim(
    date_of_service: date, priced_with: int | None, held: list[VersionPeriod], expected: int | None
) -> None:
    assert version_for_claim(held, date_of_service, priced_with) == expected


def _appeal() -> Obligation:
    key = ObligationKey(ObligationKind.APPEAL, uuid.uuid4(), uuid.uuid4())
    due = date(2026, 12, 7)
    return Obligation.new(
        key, "Appeal deadline: claim PCN-1", due, datetime(2026, 12, 7, 17, tzinfo=UTC), "why"
    )


ON = date(2026, 7, 2)


@pytest.mark.parametrize(
    ("outcome", "status", "reason"),
    [
        (
            VarianceOutcome(VarianceStatus.APPEALED, ON),
            ObligationStatus.COMPLETED,
            "appeal filed on 2026-07-02",
        ),
        (
            VarianceOutcome(VarianceStatus.APPEALED, ON, "ref 4471"),
            ObligationStatus.COMPLETED,
            "appeal filed on 2026-07-02: ref 4471",
        ),
        (
            VarianceOutcome(VarianceStatus.RECOVERED, ON, None, Decimal("19.50")),
            ObligationStatus.COMPLETED,
            "underpayment 19.50 recovered on 2026-07-02",
        ),
        (
            VarianceOutcome(VarianceStatus.WRITTEN_OFF, ON, "under $5"),
            ObligationStatus.CANCELLED,
            "variance written off on 2026-07-02: under $5",
        ),
    ],
)
def test_a_variance_outcome_settles_an_open_appeal(
    outcome: VarianceOutcome, status: ObligationStatus, reason: str
) -> None:
    settled = settle_appeal(_appeal(), outcome)
    assert settled is not None
    assert (settled.status, settled.reasons[-1], settled.due_date) == (status, reason, date(2026, 12, 7))


def test_a_filed_appeal_stays_completed_whatever_follows() -> None:
    filed = settle_appeal(_appeal(), VarianceOutcome(VarianceStatus.APPEALED, ON))
    assert filed is not None
    assert settle_appeal(filed, VarianceOutcome(VarianceStatus.WRITTEN_OFF, date(2026, 9, 1))) is None
    assert settle_appeal(_appeal(), VarianceOutcome(VarianceStatus.OPEN, ON)) is None


@pytest.mark.parametrize(
    ("pcn", "payer", "label"),
    [
        ("PCN-1001", "Acme Health", "claim PCN-1001 (Acme Health)"),
        ("PCN-1001", None, "claim PCN-1001"),
        (None, "Acme Health", "claim 00000000-0000-4000-8000-00000000c1a1 (Acme Health)"),
    ],
)
def test_a_claim_is_named_by_patient_control_number_and_payer(
    pcn: str | None, payer: str | None, label: str
) -> None:
    claim_id = uuid.UUID("00000000-0000-4000-8000-00000000c1a1")
    facts = ClaimDeadlineFacts(
        claim_id, uuid.uuid4(), date(2026, 5, 1), patient_control_number=pcn, payer_name=payer
    )
    assert facts.label == label
