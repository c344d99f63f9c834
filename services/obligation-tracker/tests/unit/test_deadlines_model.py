"""Obligation status transitions and natural keys."""

from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from obligation_tracker.domain import (
    Obligation,
    ObligationKey,
    ObligationKind,
    ObligationStateError,
    ObligationStatus,
    OrgSchedule,
)

DUE = date(2025, 10, 3)
KEY = ObligationKey(ObligationKind.ESCALATOR, UUID(int=9), None, "named 0")
OPEN = Obligation.new(KEY, "Rates rise 3%", DUE, OrgSchedule().due_at(DUE), "named in the contract")


@pytest.mark.parametrize(
    ("settle", "status"),
    [
        (lambda o: o.complete("applied"), ObligationStatus.COMPLETED),
        (lambda o: o.waive("payer agreed to defer"), ObligationStatus.WAIVED),
        (lambda o: o.breach("window passed"), ObligationStatus.BREACHED),
        (lambda o: o.cancel("no longer implied"), ObligationStatus.CANCELLED),
    ],
)
def test_settling_an_open_obligation(settle, status: ObligationStatus) -> None:  # type: ignore[no-untyped-def]
    settled = settle(OPEN)
    assert settled.status is status
    assert settled.id == OPEN.id
    assert len(settled.reasons) == 2
    with pytest.raises(ObligationStateError):
        settle(settled)


@pytest.mark.parametrize(
    "status", [ObligationStatus.COMPLETED, ObligationStatus.WAIVED, ObligationStatus.BREACHED]
)
def test_settled_obligations_cannot_move(status: ObligationStatus) -> None:
    settled = Obligation(OPEN.id, KEY, OPEN.title, DUE, OPEN.due_at, status)
    with pytest.raises(ObligationStateError):
        settled.reschedule(date(2025, 11, 3), OPEN.due_at, "moved")


def test_snooze_only_while_open() -> None:
    until = datetime(2025, 9, 1, tzinfo=UTC)
    snoozed = OPEN.snooze(until)
    assert snoozed.is_snoozed(datetime(2025, 8, 31, tzinfo=UTC))
    assert not snoozed.is_snoozed(until)
    assert snoozed.complete().snoozed_until is None
    with pytest.raises(ObligationStateError):
        OPEN.complete().snooze(until)


def test_overdue_after_end_of_business() -> None:
    assert not OPEN.is_overdue(datetime(2025, 10, 3, 22, 0, tzinfo=UTC))  # 17:00 CDT
    assert OPEN.is_overdue(datetime(2025, 10, 3, 22, 1, tzinfo=UTC))
    assert not OPEN.complete().is_overdue(datetime(2025, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("key", "text"),
    [
        (KEY, "escalator/00000000-0000-0000-0000-000000000009/-/named 0"),
        (
            ObligationKey(ObligationKind.APPEAL, UUID(int=9), UUID(int=10)),
            "appeal/00000000-0000-0000-0000-000000000009/00000000-0000-0000-0000-00000000000a/",
        ),
    ],
)
def test_natural_key_text_and_stable_id(key: ObligationKey, text: str) -> None:
    assert key.as_text() == text
    assert (
        key.stable_id()
        == ObligationKey(key.kind, key.contract_id, key.claim_id, key.discriminator).stable_id()
    )
    assert key.stable_id() != ObligationKey(key.kind, key.contract_id, key.claim_id, "other").stable_id()
