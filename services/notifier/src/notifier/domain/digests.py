"""The daily digest: one mail per recipient address, per organisation, per day.

It goes out once a day at a fixed hour (UTC) and merges what every digest subscription of the
organisation that names the address collected since the last one: grouped by subscription name,
each event once even when several of those subscriptions matched it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .notices import Payload


def next_digest_at(now: datetime, hour_utc: int) -> datetime:
    """The first digest time strictly after `now`: today at `hour_utc`:00 UTC, else tomorrow."""
    if not 0 <= hour_utc <= 23:
        raise ValueError("the digest hour must lie in 0-23")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    utc_now = now.astimezone(UTC)
    today = utc_now.replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return today if today > utc_now else today + timedelta(days=1)


def the_day_after(digest_at: datetime) -> datetime:
    """Where an item goes when the day's digest has already gone out: the next day's."""
    return digest_at + timedelta(days=1)


def digest_recipient(address: str) -> str:
    """The address a digest is kept and sent under: trimmed and lower-cased as a whole.

    RFC 5321 lets a local part be case-sensitive, but no mail system Accord meets treats
    `Pat@clinic.example` and `pat@clinic.example` as two people; one digest for both is simpler
    than two nearly identical mails.
    """
    return address.strip().lower()


@dataclass(frozen=True)
class DigestEntry:
    """A delivery waiting for a recipient's digest: the event and the subscription that matched it."""

    subscription_name: str
    event_id: str
    event_type: str
    data: Payload


@dataclass(frozen=True)
class DigestItem:
    """One event as a digest lists it, once; `also_for` names the other subscriptions it matched."""

    event_id: str
    event_type: str
    data: Payload
    also_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestSection:
    subscription_name: str
    items: tuple[DigestItem, ...]


def merge_digest(entries: Iterable[DigestEntry]) -> tuple[DigestSection, ...]:
    """One recipient's digest: a section per subscription name, in name order, items in the order given.

    An event matched by several subscriptions is listed once, in the section that comes first,
    and names the others; subscriptions of the same name share a section.
    """
    by_event: dict[str, list[DigestEntry]] = {}
    for entry in entries:
        by_event.setdefault(entry.event_id, []).append(entry)
    sections: dict[str, list[DigestItem]] = {}
    for event_id, matched in by_event.items():
        names = sorted({entry.subscription_name for entry in matched}, key=_name_order)
        first = matched[0]
        item = DigestItem(event_id, first.event_type, first.data, tuple(names[1:]))
        sections.setdefault(names[0], []).append(item)
    return tuple(DigestSection(name, tuple(sections[name])) for name in sorted(sections, key=_name_order))


def _name_order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)
