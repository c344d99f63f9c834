"""The iCalendar feed, parsed back with icalendar."""

from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from icalendar import Calendar
from obligation_tracker.domain import (
    ClaimDeadlineFacts,
    ContractVersionSnapshot,
    Obligation,
    ObligationKind,
    OrgSchedule,
    build_ical_feed,
    claim_obligations,
    derive_obligations,
    event_uid,
)

SCHEDULE = OrgSchedule(time_zone="America/Chicago")
GENERATED_AT = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
VERSION = ContractVersionSnapshot(
    contract_id=UUID("00000000-0000-4000-8000-00000000c004"),
    version_number=2,
    contract_name="Acme Health PPO",
    effective_date=date(2024, 1, 1),
    auto_renew=True,
    notice_days=90,
    timely_filing_days=95,
)
CLAIM = ClaimDeadlineFacts(
    claim_id=UUID("00000000-0000-4000-8000-0000000c1a1f"),
    contract_id=VERSION.contract_id,
    date_of_service=date(2025, 8, 30),
)


def obligations() -> list[Obligation]:
    contract = derive_obligations(VERSION, SCHEDULE, date(2025, 6, 2)).obligations
    return [*contract, *claim_obligations(CLAIM, VERSION, SCHEDULE)]


def parse(feed: bytes) -> tuple[Calendar, dict[str, object]]:
    calendar = Calendar.from_ical(feed)
    return calendar, {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_feed_parses_back_with_one_event_per_obligation() -> None:
    listed = obligations()
    calendar, events = parse(build_ical_feed(listed, "Accord deadlines", GENERATED_AT))
    assert str(calendar["X-WR-CALNAME"]) == "Accord deadlines"
    assert str(calendar["VERSION"]) == "2.0"
    assert set(events) == {event_uid(o) for o in listed}


@pytest.mark.parametrize(
    ("kind", "summary", "start"),
    [
        (
            ObligationKind.RENEWAL_NOTICE,
            "Last day to give notice of non-renewal: Acme Health PPO",
            date(2025, 10, 3),
        ),
        (ObligationKind.RENEWAL, "Contract renews: Acme Health PPO", date(2026, 1, 1)),
        (
            ObligationKind.TIMELY_FILING,
            "Timely filing: claim 00000000-0000-4000-8000-0000000c1a1f",
            date(2025, 12, 3),
        ),
    ],
)
def test_all_day_events(kind: ObligationKind, summary: str, start: date) -> None:
    (obligation,) = (o for o in obligations() if o.kind is kind)
    _, events = parse(build_ical_feed([obligation], "Accord deadlines", GENERATED_AT))
    event = events[event_uid(obligation)]
    assert str(event["SUMMARY"]) == summary  # type: ignore[index]
    assert event["DTSTART"].dt == start  # type: ignore[index]
    assert str(event["STATUS"]) == "CONFIRMED"  # type: ignore[index]
    assert str(event["DESCRIPTION"]) == "\n".join(obligation.reasons)  # type: ignore[index]


def test_timed_events_carry_the_org_zone() -> None:
    (notice,) = (o for o in obligations() if o.kind is ObligationKind.RENEWAL_NOTICE)
    feed = build_ical_feed([notice], "Accord deadlines", GENERATED_AT, all_day=False)
    calendar, events = parse(feed)
    start = events[event_uid(notice)]["DTSTART"].dt  # type: ignore[index]
    assert start.astimezone(UTC) == datetime(2025, 10, 3, 22, 0, tzinfo=UTC)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]


def test_cancelled_and_completed_obligations() -> None:
    renewal, notice = (
        o for o in obligations() if o.kind in {ObligationKind.RENEWAL, ObligationKind.RENEWAL_NOTICE}
    )
    listed = [renewal.cancel("no longer implied"), notice.complete("notice sent")]
    _, events = parse(build_ical_feed(listed, "Accord deadlines", GENERATED_AT))
    statuses = {uid: (str(e["STATUS"]), str(e["SUMMARY"])[:11]) for uid, e in events.items()}  # type: ignore[index]
    assert statuses == {
        event_uid(renewal): ("CANCELLED", "[cancelled]"),
        event_uid(notice): ("CONFIRMED", "[completed]"),
    }


def test_feed_is_stable_and_free_of_patient_data() -> None:
    listed = obligations()
    first = build_ical_feed(listed, "Accord deadlines", GENERATED_AT)
    assert first == build_ical_feed(list(reversed(listed)), "Accord deadlines", GENERATED_AT)
    text = first.decode()
    assert str(CLAIM.claim_id) in text
    assert "patient" not in text.lower()
