"""An RFC 5545 calendar of obligations, for staff to subscribe to in their own calendar app.

Each obligation is one VEVENT whose UID is derived from the obligation's id, so a moved deadline
updates the same event. No PHI: events carry only the obligation's title and reasons, which name
contracts by name and claims by Accord's claim id (never patient control number or patient data).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from obligation_tracker.domain.model import Obligation, ObligationStatus

PRODUCT_ID = "-//Accord//Obligation tracker//EN"
UID_DOMAIN = "obligations.accord"


def event_uid(obligation: Obligation) -> str:
    return f"{obligation.id}@{UID_DOMAIN}"


def obligation_event(obligation: Obligation, generated_at: datetime, all_day: bool) -> Event:
    """One VEVENT: an all-day event on the due date, or a moment at the due time."""
    event = Event()
    event.add("uid", event_uid(obligation))
    event.add("dtstamp", generated_at)
    if all_day:
        event.add("dtstart", obligation.due_date)
        event.add("dtend", obligation.due_date + timedelta(days=1))
    else:
        event.add("dtstart", obligation.due_at)
    event.add("summary", _summary(obligation))
    event.add("description", "\n".join(obligation.reasons))
    event.add("status", _event_status(obligation.status))
    event.add("categories", [obligation.kind.value])
    event.add("x-accord-obligation-status", obligation.status.value)
    return event


def build_ical_feed(
    obligations: Iterable[Obligation],
    calendar_name: str,
    generated_at: datetime,
    all_day: bool = True,
) -> bytes:
    """The whole VCALENDAR; ``generated_at`` (aware) becomes each event's DTSTAMP."""
    feed = Calendar()
    feed.add("prodid", PRODUCT_ID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", calendar_name)
    for obligation in sorted(obligations, key=lambda o: (o.due_at, o.id)):
        feed.add_component(obligation_event(obligation, generated_at, all_day))
    if not all_day:
        feed.add_missing_timezones()
    payload: bytes = feed.to_ical()
    return payload


def _summary(obligation: Obligation) -> str:
    if obligation.status is ObligationStatus.OPEN:
        return obligation.title
    return f"[{obligation.status.value}] {obligation.title}"


def _event_status(status: ObligationStatus) -> str:
    return "CANCELLED" if status is ObligationStatus.CANCELLED else "CONFIRMED"
