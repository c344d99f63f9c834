"""Reconciling stored obligations with a new contract version (the recompute on contract.amended)."""

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from obligation_tracker.domain import (
    ContractVersionSnapshot,
    NamedDateEscalator,
    Obligation,
    ObligationKey,
    ObligationKind,
    ObligationStatus,
    OrgSchedule,
    PayerAmendment,
    derive_obligations,
    reconcile,
)

CONTRACT_ID = UUID("00000000-0000-4000-8000-00000000c002")
SCHEDULE = OrgSchedule()
TODAY = date(2025, 6, 2)
K = ObligationKind

V1 = ContractVersionSnapshot(
    contract_id=CONTRACT_ID,
    version_number=1,
    contract_name="Acme Health PPO",
    effective_date=date(2024, 1, 1),
    auto_renew=True,
    notice_days=90,
    named_escalators=(NamedDateEscalator(date(2026, 7, 1), Decimal("3")),),
)

Prepare = Callable[[list[Obligation]], list[Obligation]]


def unchanged(existing: list[Obligation]) -> list[Obligation]:
    return existing


def settle(kind: ObligationKind, status: ObligationStatus) -> Prepare:
    def prepare(existing: list[Obligation]) -> list[Obligation]:
        return [replace(o, status=status) if o.kind is kind else o for o in existing]

    return prepare


def due_on(kind: ObligationKind, due: date) -> Prepare:
    def prepare(existing: list[Obligation]) -> list[Obligation]:
        return [
            replace(o, due_date=due, due_at=SCHEDULE.due_at(due)) if o.kind is kind else o for o in existing
        ]

    return prepare


def plus_claim_obligation(existing: list[Obligation]) -> list[Obligation]:
    key = ObligationKey(K.TIMELY_FILING, CONTRACT_ID, UUID(int=7))
    claim = Obligation.new(
        key, "Timely filing: claim", date(2025, 9, 1), SCHEDULE.due_at(date(2025, 9, 1)), "x"
    )
    return [*existing, claim]


def plus_removed_term(existing: list[Obligation]) -> list[Obligation]:
    key = ObligationKey(K.ESCALATOR, CONTRACT_ID, None, "named 5")
    stale = Obligation.new(key, "Rates rise", date(2025, 5, 1), SCHEDULE.due_at(date(2025, 5, 1)), "x")
    return [*existing, stale]


CASES = [
    # name, v2 changes, prepare existing, created, moved {kind: new due}, cancelled {kind: reason}, reopened
    ("same terms again is a no-op", {}, unchanged, set(), {}, {}, set()),
    (
        "an amendment that moves a deadline and cancels another",
        {"notice_days": 120, "named_escalators": ()},
        unchanged,
        set(),
        {K.RENEWAL_NOTICE: date(2025, 9, 3)},
        {K.ESCALATOR: "no longer implied by version 2: escalator no longer in the contract"},
        set(),
    ),
    (
        "auto-renew turned off",
        {"auto_renew": False, "termination_date": date(2025, 12, 31)},
        unchanged,
        {K.EXPIRY, K.RENEWAL_NOTICE},  # renew-or-renegotiate notice for the final term
        {},
        {
            K.RENEWAL: "no longer implied by version 2: auto-renew turned off",
            K.RENEWAL_NOTICE: "no longer implied by version 2: auto-renew turned off",
        },
        set(),
    ),
    (
        "payer amendment opens an objection window",
        {"payer_amendments": (PayerAmendment("PA-9", date(2025, 6, 2), 30),)},
        unchanged,
        {K.OBJECTION_WINDOW},
        {},
        {},
        set(),
    ),
    (
        "completed and waived obligations are left alone",
        {"notice_days": 120, "named_escalators": ()},
        lambda existing: settle(K.ESCALATOR, ObligationStatus.WAIVED)(
            settle(K.RENEWAL_NOTICE, ObligationStatus.COMPLETED)(existing)
        ),
        set(),
        {},
        {},
        set(),
    ),
    (
        "a cancelled obligation implied again is reopened",
        {},
        settle(K.ESCALATOR, ObligationStatus.CANCELLED),
        set(),
        {},
        {},
        {K.ESCALATOR},
    ),
    (
        "a deadline implied but already past is not created",
        {"payer_amendments": (PayerAmendment("PA-1", date(2025, 4, 1), 30),)},
        unchanged,
        set(),
        {},
        {},
        set(),
    ),
    (
        "a past-due open obligation no longer implied is left to the breach sweep",
        {},
        plus_removed_term,
        set(),
        {},
        {},
        set(),
    ),
    ("claim obligations are outside a contract recompute", {}, plus_claim_obligation, set(), {}, {}, set()),
    (
        "an open obligation moved to the past stays open, now overdue",
        {"payer_amendments": (PayerAmendment("PA-1", date(2025, 4, 1), 30),)},
        lambda existing: [
            *existing,
            *(
                o
                for o in derive_obligations(
                    replace(V1, payer_amendments=(PayerAmendment("PA-1", date(2025, 4, 1), 90),)),
                    SCHEDULE,
                    TODAY,
                ).obligations
                if o.kind is K.OBJECTION_WINDOW
            ),
        ],
        set(),
        {K.OBJECTION_WINDOW: date(2025, 5, 1)},
        {},
        set(),
    ),
    (
        "a deadline the org moved by hand is moved back to the contract's date",
        {},
        due_on(K.RENEWAL_NOTICE, date(2025, 9, 1)),
        set(),
        {K.RENEWAL_NOTICE: date(2025, 10, 3)},
        {},
        set(),
    ),
]


@pytest.mark.parametrize(
    ("name", "changes", "prepare", "created", "moved", "cancelled", "reopened"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_reconcile(
    name: str,
    changes: dict[str, object],
    prepare: Prepare,
    created: set[ObligationKind],
    moved: dict[ObligationKind, date],
    cancelled: dict[ObligationKind, str],
    reopened: set[ObligationKind],
) -> None:
    existing = prepare(list(derive_obligations(V1, SCHEDULE, TODAY).obligations))
    v2 = replace(V1, version_number=2, **changes)  # type: ignore[arg-type]
    plan = reconcile(existing, derive_obligations(v2, SCHEDULE, TODAY), TODAY)

    assert {o.kind for o in plan.to_create} == created
    assert {o.kind: o.due_date for o in plan.to_move} == moved
    assert {o.kind: o.reasons[-1] for o in plan.to_cancel} == cancelled
    assert {o.kind for o in plan.to_reopen} == reopened
    assert all(o.status is ObligationStatus.CANCELLED for o in plan.to_cancel)
    assert all(o.status is ObligationStatus.OPEN for o in (*plan.to_move, *plan.to_reopen))
    ids_before = {o.key: o.id for o in existing}
    assert all(o.id == ids_before[o.key] for o in (*plan.to_move, *plan.to_cancel, *plan.to_reopen))


def test_moved_obligation_keeps_id_and_history() -> None:
    existing = list(derive_obligations(V1, SCHEDULE, TODAY).obligations)
    v2 = replace(V1, version_number=2, notice_days=120)
    plan = reconcile(existing, derive_obligations(v2, SCHEDULE, TODAY), TODAY)
    (before,) = (o for o in existing if o.kind is K.RENEWAL_NOTICE)
    (after,) = plan.to_move
    assert after.id == before.id
    assert after.due_at == SCHEDULE.due_at(date(2025, 9, 3))
    assert after.reasons == (*before.reasons, "moved by version 2 from 2025-10-03 to 2025-09-03")


def test_applying_a_plan_then_reconciling_again_is_a_no_op() -> None:
    existing = list(derive_obligations(V1, SCHEDULE, TODAY).obligations)
    v2 = replace(V1, version_number=2, auto_renew=False, notice_days=120, named_escalators=())
    derivation = derive_obligations(v2, SCHEDULE, TODAY)
    plan = reconcile(existing, derivation, TODAY)
    stored = {o.id: o for o in existing} | {o.id: o for o in plan.changed}
    assert not plan.is_empty
    assert reconcile(stored.values(), derivation, TODAY).is_empty
