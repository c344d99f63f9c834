"""An organisation's calendar rules and its iCalendar feeds."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from accord_common.auth import Principal
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.settings_repository import CalendarFeedRepository, OrgSettingsRepository
from obligation_tracker.handlers.context import OrgCalendar, Tracker

FEED_TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def update_calendar(uow: UnitOfWork, tracker: Tracker, who: Principal, calendar: OrgCalendar) -> None:
    """Replace the organisation's calendar rules. Existing deadlines keep their dates; new
    derivations and reminders use the new rules."""
    async with uow:
        await OrgSettingsRepository(uow.session, who.organization_id).put(
            {
                "time_zone": calendar.time_zone,
                "holiday_country": calendar.holiday_country,
                "holiday_subdivision": calendar.holiday_subdivision,
                "lead_days": list(calendar.lead_days),
                "updated_at": tracker.now(),
                "updated_by": who.name,
            }
        )
        await uow.commit()


async def create_feed(
    uow: UnitOfWork, tracker: Tracker, who: Principal, name: str, include_settled: bool
) -> tuple[dict[str, Any], str]:
    """A new feed and its token (shown once; only its hash is stored)."""
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    row = {
        "id": str(uuid.uuid4()),
        "organization_id": who.organization_id,
        "name": name,
        "token_hash": hash_token(token),
        "include_settled": include_settled,
        "created_by": who.name,
        "created_at": tracker.now(),
        "revoked_at": None,
    }
    async with uow:
        await CalendarFeedRepository(uow.session).add(row)
        await uow.commit()
    return row, token


async def revoke_feed(uow: UnitOfWork, tracker: Tracker, who: Principal, feed_id: str) -> None:
    async with uow:
        await CalendarFeedRepository(uow.session).revoke(who.organization_id, feed_id, tracker.now())
        await uow.commit()
