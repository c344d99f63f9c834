"""Deriving obligations from a contract version snapshot."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from obligation_tracker.domain import (
    AnniversaryEscalator,
    ContractVersionSnapshot,
    CredentialingEvent,
    DayCount,
    MeasurementPeriod,
    NamedDateEscalator,
    Obligation,
    ObligationKind,
    OrgSchedule,
    PayerAmendment,
    ReportingDeliverable,
    ValueBasedTerms,
    derive_obligations,
)

CONTRACT_ID = UUID("00000000-0000-4000-8000-00000000c001")
SCHEDULE = OrgSchedule(time_zone="America/Chicago")
TODAY = date(2025, 6, 2)

EVERGREEN = ContractVersionSnapshot(
    contract_id=CONTRACT_ID,
    version_number=1,
    contract_name="Acme Health PPO",
    effective_date=date(2024, 1, 1),
    auto_renew=True,
    renewal_term_months=12,
    notice_days=90,
)


def derived(version: ContractVersionSnapshot, today: date = TODAY) -> list[Obligation]:
    return list(derive_obligations(version, SCHEDULE, today).obligations)


def of_kind(obligations: list[Obligation], kind: ObligationKind) -> dict[str, date]:
    return {o.key.discriminator: o.due_date for o in obligations if o.kind is kind}


@pytest.mark.parametrize(
    ("changes", "today", "renewal", "notice"),
    [
        ({}, TODAY, ("term 2", date(2026, 1, 1)), date(2025, 10, 3)),
        (
            {"notice_days": 20, "notice_day_count": DayCount.BUSINESS},
            TODAY,
            ("term 2", date(2026, 1, 1)),
            date(2025, 12, 3),  # 20 business days back over Christmas and Thanksgiving
        ),
        (
            {"termination_date": date(2025, 12, 31)},
            date(2026, 2, 1),
            ("term 2", date(2026, 12, 31)),
            date(2026, 10, 2),
        ),
        ({}, date(2026, 1, 1), ("term 2", date(2026, 1, 1)), date(2025, 10, 3)),  # renews today
        (
            {"effective_date": date(2025, 1, 31), "renewal_term_months": 1, "notice_days": 10},
            date(2025, 4, 15),
            ("term 3", date(2025, 4, 30)),  # Feb 28, Mar 31, Apr 30: no drift to the 28th
            date(2025, 4, 18),  # Sunday Apr 20 pulled back to Friday
        ),
        (
            {"termination_date": date(2026, 6, 30)},
            TODAY,
            ("term 1", date(2026, 6, 30)),
            date(2026, 4, 1),
        ),
    ],
)
def test_evergreen_renewal_and_notice_deadline(
    changes: dict[str, object], today: date, renewal: tuple[str, date], notice: date
) -> None:
    obligations = derived(replace(EVERGREEN, **changes), today)  # type: ignore[arg-type]
    assert of_kind(obligations, ObligationKind.RENEWAL) == {renewal[0]: renewal[1]}
    assert of_kind(obligations, ObligationKind.RENEWAL_NOTICE) == {renewal[0]: notice}
    assert of_kind(obligations, ObligationKind.EXPIRY) == {}


@pytest.mark.parametrize(
    ("changes", "expiry", "kinds_absent"),
    [
        (
            {"auto_renew": False, "termination_date": date(2026, 12, 31), "notice_days": 0},
            date(2026, 12, 31),
            {ObligationKind.RENEWAL, ObligationKind.RENEWAL_NOTICE},
        ),
        ({"auto_renew": False}, date(2025, 1, 1), {ObligationKind.RENEWAL}),  # one term from effective
    ],
)
def test_non_renewing_contract_expires(
    changes: dict[str, object], expiry: date, kinds_absent: set[ObligationKind]
) -> None:
    obligations = derived(replace(EVERGREEN, **changes))  # type: ignore[arg-type]
    assert of_kind(obligations, ObligationKind.EXPIRY) == {"": expiry}
    assert not {o.kind for o in obligations} & kinds_absent


def test_no_notice_period_means_no_notice_obligation() -> None:
    obligations = derived(replace(EVERGREEN, notice_days=0))
    assert of_kind(obligations, ObligationKind.RENEWAL_NOTICE) == {}
    assert of_kind(obligations, ObligationKind.RENEWAL) == {"term 2": date(2026, 1, 1)}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"named_escalators": (NamedDateEscalator(date(2026, 7, 1), Decimal("3.0")),)},
            {"dated 2026-07-01": date(2026, 7, 1)},
        ),
        (
            {"anniversary_escalators": (AnniversaryEscalator(Decimal("2.5")),)},
            {"anniversary 2": date(2026, 1, 1)},  # through the current term's end only
        ),
        (
            {
                "effective_date": date(2024, 2, 29),
                "auto_renew": False,
                "termination_date": date(2028, 12, 31),
                "anniversary_escalators": (AnniversaryEscalator(Decimal("3")),),
            },
            {
                "anniversary 2": date(2026, 2, 28),
                "anniversary 3": date(2027, 2, 28),
                "anniversary 4": date(2028, 2, 29),  # a leap-day anniversary comes back
            },
        ),
    ],
)
def test_escalator_effective_dates(changes: dict[str, object], expected: dict[str, date]) -> None:
    obligations = derived(replace(EVERGREEN, **changes))  # type: ignore[arg-type]
    assert of_kind(obligations, ObligationKind.ESCALATOR) == expected


def test_escalators_of_several_payment_terms_share_a_date() -> None:
    version = replace(
        EVERGREEN,
        named_escalators=(
            NamedDateEscalator(date(2025, 7, 1), Decimal("3"), ("Professional services",)),
            NamedDateEscalator(date(2025, 7, 1), Decimal("2.5"), ("Laboratory",)),
            NamedDateEscalator(date(2024, 1, 1), Decimal("5"), ("Inpatient",)),  # the start: no rise
        ),
        anniversary_escalators=(AnniversaryEscalator(Decimal("3"), ("Professional services", "Rehab")),),
    )
    obligations = [o for o in derived(version) if o.kind is ObligationKind.ESCALATOR]
    by_key = {o.key.discriminator: o for o in obligations}
    assert set(by_key) == {"dated 2025-07-01", "anniversary 2"}
    assert by_key["dated 2025-07-01"].title == (
        "Rates rise 3% (Professional services), 2.5% (Laboratory): Acme Health PPO"
    )
    assert by_key["anniversary 2"].title == "Rates rise 3% (Professional services, Rehab): Acme Health PPO"
    assert by_key["anniversary 2"].due_date == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("amendment", "expected"),
    [
        (PayerAmendment("PA-7", date(2025, 6, 2), 30), date(2025, 7, 2)),
        (PayerAmendment("PA-7", date(2025, 6, 4), 30), date(2025, 7, 3)),  # July 4th pulled back
        (PayerAmendment("PA-7", date(2025, 6, 30), 10, DayCount.BUSINESS), date(2025, 7, 15)),
    ],
)
def test_objection_window_for_payer_amendment(amendment: PayerAmendment, expected: date) -> None:
    obligations = derived(replace(EVERGREEN, payer_amendments=(amendment,)))
    assert of_kind(obligations, ObligationKind.OBJECTION_WINDOW) == {"PA-7": expected}


def test_value_based_periods_and_reports() -> None:
    terms = ValueBasedTerms(
        measurement_periods=(
            MeasurementPeriod("2025 H1", date(2025, 1, 1), date(2025, 6, 30)),
            MeasurementPeriod("2025 H2", date(2025, 7, 1), date(2025, 12, 31)),
        ),
        deliverables=(ReportingDeliverable("Quality report", 60),),
    )
    obligations = derived(replace(EVERGREEN, value_based=terms))
    assert of_kind(obligations, ObligationKind.MEASUREMENT_PERIOD_END) == {
        "2025 H1": date(2025, 6, 30),
        "2025 H2": date(2025, 12, 31),
    }
    assert of_kind(obligations, ObligationKind.VBC_REPORT) == {
        "Quality report / 2025 H1": date(2025, 8, 29),
        "Quality report / 2025 H2": date(2026, 2, 27),  # Sunday Mar 1 pulled back to Friday
    }


def test_credentialing_dates() -> None:
    event = CredentialingEvent("re-credentialing, group NPI 1234567893", date(2026, 3, 1))
    obligations = derived(replace(EVERGREEN, credentialing=(event,)))
    assert of_kind(obligations, ObligationKind.CREDENTIALING) == {event.label: date(2026, 2, 27)}
    (credentialing,) = (o for o in obligations if o.kind is ObligationKind.CREDENTIALING)
    assert credentialing.title.startswith("Re-credentialing, group NPI")


def test_derivation_is_deterministic_and_keyed() -> None:
    first, second = derived(EVERGREEN), derived(EVERGREEN)
    assert first == second
    assert all(o.id == o.key.stable_id() for o in first)
    assert len({o.key for o in first}) == len(first)


def test_obligation_carries_due_time_title_and_reason() -> None:
    (notice,) = (o for o in derived(EVERGREEN) if o.kind is ObligationKind.RENEWAL_NOTICE)
    assert notice.due_at.astimezone(UTC) == datetime(2025, 10, 3, 22, 0, tzinfo=UTC)
    assert notice.title == "Last day to give notice of non-renewal: Acme Health PPO"
    assert notice.reasons == ("renewal on 2026-01-01 less 90 calendar days notice (version 1)",)
    assert notice.contract_id == CONTRACT_ID
    assert notice.claim_id is None


def test_snapshot_rejects_inconsistent_terms() -> None:
    with pytest.raises(ValueError, match="termination_date"):
        replace(EVERGREEN, termination_date=date(2023, 12, 31))
    with pytest.raises(ValueError, match="renewal_term_months"):
        replace(EVERGREEN, renewal_term_months=0)


@pytest.mark.parametrize(
    ("termination", "notice_days", "due", "note"),
    [
        (date(2027, 12, 31), 90, date(2027, 10, 2), "2027-10-02 is not a business day"),  # a Saturday
        (date(2028, 6, 30), 120, date(2028, 3, 2), None),
    ],
)
def test_non_renewing_contract_with_notice_asks_to_renew_or_renegotiate(
    termination: date, notice_days: int, due: date, note: str | None
) -> None:
    version = replace(EVERGREEN, auto_renew=False, termination_date=termination, notice_days=notice_days)
    (notice,) = (o for o in derived(version) if o.kind is ObligationKind.RENEWAL_NOTICE)
    assert notice.due_date == due
    assert notice.key.discriminator == "term 1"
    assert notice.title == (
        f"Renewal notice for Acme Health PPO: tell the payer by {due} whether you will renew or renegotiate"
    )
    assert (note in notice.reasons[0]) if note else "business day" not in notice.reasons[0]
